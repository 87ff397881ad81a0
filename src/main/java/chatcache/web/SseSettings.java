package chatcache.web;
public record SseSettings(int maxQueuedFrames, int maxQueuedBytes, long retryMillis) {}
