package chatcache.web;

import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpChannelOverHttp;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;

/**
 * HTTP/1.1 connections whose unparsable requests are answered with a 4xx. why: Jetty answers a
 * request line without a version (HTTP/0.9) or with an unknown one with 505, a 5xx that any
 * client can cause at will and that would count as a server failure in every 5xx alert.
 */
final class ClientErrorConnectionFactory extends HttpConnectionFactory {

    ClientErrorConnectionFactory(HttpConfiguration config) {
        super(config);
    }

    /** Replaces the HTTP/1.1 factory of a connector that is not started yet by one of these. */
    static void install(ServerConnector connector) {
        HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
        if (http == null || http instanceof ClientErrorConnectionFactory) {
            return;
        }
        ClientErrorConnectionFactory replacement = new ClientErrorConnectionFactory(http.getHttpConfiguration());
        replacement.setUseInputDirectByteBuffers(http.isUseInputDirectByteBuffers());
        replacement.setUseOutputDirectByteBuffers(http.isUseOutputDirectByteBuffers());
        connector.removeConnectionFactory(http.getProtocol());
        connector.addFirstConnectionFactory(replacement);
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        HttpConnection connection = new HttpConnection(getHttpConfiguration(), connector, endPoint,
                isRecordHttpComplianceViolations()) {
            @Override
            protected HttpChannelOverHttp newHttpChannel() {
                return new HttpChannelOverHttp(this, getConnector(), getHttpConfiguration(), getEndPoint(), this) {
                    @Override
                    public void badMessage(BadMessageException failure) {
                        super.badMessage(failure.getCode() >= 500
                                ? new BadMessageException(400, failure.getReason(), failure) : failure);
                    }
                };
            }
        };
        connection.setUseInputDirectByteBuffers(isUseInputDirectByteBuffers());
        connection.setUseOutputDirectByteBuffers(isUseOutputDirectByteBuffers());
        return configure(connection, connector, endPoint);
    }
}
