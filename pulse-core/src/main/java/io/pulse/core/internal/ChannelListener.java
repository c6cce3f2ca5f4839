package io.pulse.core.internal;

/**
 * Receiver of one pub/sub channel's messages, called on a Redis I/O thread (so it must be quick and
 * never block or call user code) through {@link RedisFacade#subscribe}.
 */
public interface ChannelListener {

    /** One message published on the channel, in publish order. */
    void onMessage(byte[] message);

    /**
     * The shared subscriber connection was lost and the channel is subscribed again: messages published
     * meanwhile were missed, so state derived from them must be re-read from Redis.
     */
    default void onResubscribed() {
    }
}
