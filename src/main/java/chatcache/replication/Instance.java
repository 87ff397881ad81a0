package chatcache.replication;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * This process among the instances that share one MySQL and one Redis: the name under which it
 * reads its share of the read-mark stream and holds leases. A restarted process is a new
 * instance; what the old one left (unacknowledged entries, a lease) expires and is taken over.
 */
public record Instance(String name) {
    public Instance {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException("an instance name is 1 to 100 letters, digits, '.', '_' or '-': " + name);
        }
    }

    /** host-pid-random: readable in XINFO and logs, and unique even for two containers with the same pid. */
    public static Instance ofThisProcess() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9.-]", "-");
        } catch (java.io.IOException e) {
            host = "host";
        }
        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        String name = host + "-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random);
        return new Instance(name.length() > 100 ? name.substring(name.length() - 100) : name);
    }
}
