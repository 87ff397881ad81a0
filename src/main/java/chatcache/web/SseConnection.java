package chatcache.web;
// STUB until branch sse-connection lands
public final class SseConnection {
    public static SseConnection open(io.javalin.http.Context ctx, SseSettings settings, java.util.concurrent.Executor writers) { throw new UnsupportedOperationException(); }
    public boolean send(byte[] frame) { return false; }
    public void close(String reason) { }
    public void onClose(Runnable r) { }
    public boolean isOpen() { return false; }
    public long idleNanos() { return 0; }
    public String closedReason() { return null; }
}
