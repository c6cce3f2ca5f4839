package io.pulse.streaming;

/**
 * Every Redis key, map name and field name of streams and sinks, in one place. They are Go Pulse's,
 * so Java and Go producers, readers and sinks can share a stream. Stateless.
 */
final class StreamKeys {

    static final String PREFIX = "pulse:stream:";
    static final String FIELD_NAME = "n";
    static final String FIELD_PAYLOAD = "p";
    static final String FIELD_TOPIC = "t";

    private StreamKeys() {
    }

    /** The Redis stream: {@code pulse:stream:<stream>}. */
    static String stream(String stream) {
        return PREFIX + stream;
    }

    /** The stream name of a stream key, or the key itself if it has no Pulse prefix. */
    static String streamName(String key) {
        return key.startsWith(PREFIX) ? key.substring(PREFIX.length()) : key;
    }

    /** The replicated map listing, per sink name, the consumers reading the stream. */
    static String sinkRegistryMap(String stream) {
        return "stream:" + stream + ":sinks";
    }

    /** The replicated map of the sink's consumers' keep-alives (Unix nanoseconds). */
    static String keepAliveMap(String sink) {
        return "sink:" + sink + ":keepalive";
    }

    /** The Redis hash of a replicated map used by streams (its layout belongs to the rmap module). */
    static String mapContent(String mapName) {
        return "map:" + mapName + ":content";
    }

    /** The lease electing which instance of the sink re-claims idle events. */
    static String staleLease(String sink) {
        return "sink:" + sink + ":stalelease";
    }
}
