package io.pulse.core.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The Lettuce client options Pulse runs with, chosen on purpose. Stateless.
 * <ul>
 *   <li><b>No replay after a reconnect.</b> Lettuce by default re-sends, after a reconnect, the
 *       commands that were written but not answered when the connection broke, and buffers new ones
 *       while it is down. A re-sent {@code inc} or append would run twice. Every command is filtered
 *       out of the replay (it fails with an outcome-unknown error instead) and commands are rejected
 *       while disconnected; {@link RedisFacade} waits for the connection and sends them then.</li>
 *   <li><b>Command timeout</b> for every command except blocking reads ({@code XREAD},
 *       {@code XREADGROUP}, {@code BLPOP}, ...), whose loops bound their own wait.</li>
 *   <li><b>TCP keep-alive</b> (idle 5 s, interval 2 s, 3 probes) and a <b>TCP user timeout</b> of 15 s
 *       (where a native transport is loaded), so a host that vanished without closing its sockets is
 *       noticed in seconds rather than after the kernel's two-hour default.</li>
 *   <li><b>RESP2</b>, so pub/sub and scripts behave the same on every Redis version from 6.2 on.</li>
 *   <li><b>A request queue that grows with use</b> (see {@link #REQUEST_QUEUE_BOUND}), so an idle
 *       connection costs no preallocated heap.</li>
 * </ul>
 */
final class ClientSettings {

    /** Commands that block server-side by design: their loops bound the wait themselves. */
    private static final Set<ProtocolKeyword> BLOCKING = Set.of(CommandType.XREAD, CommandType.XREADGROUP,
            CommandType.BLPOP, CommandType.BRPOP, CommandType.BLMOVE, CommandType.BZPOPMIN,
            CommandType.BZPOPMAX, CommandType.WAIT);

    /**
     * The most commands one connection holds unsent or unanswered. Above Lettuce's array-queue
     * threshold (200,000 by default) its queues are linked and grow with use; at or below it, each
     * connection would allocate two arrays of this capacity up front (1 MB at 2^17), used or not.
     */
    static final int REQUEST_QUEUE_BOUND = 1 << 18;

    private ClientSettings() {
    }

    /** {@code base} (which may carry the user's TLS options) with Pulse's options applied. */
    static ClientOptions apply(ClientOptions base, Duration commandTimeout) {
        long timeoutMillis = commandTimeout.toMillis();
        TimeoutOptions timeouts = TimeoutOptions.builder()
                .timeoutCommands(true)
                .timeoutSource(new TimeoutOptions.TimeoutSource() {
                    @Override
                    public long getTimeout(RedisCommand<?, ?, ?> command) {
                        return BLOCKING.contains(command.getType()) ? TimeUnit.DAYS.toMillis(1) : timeoutMillis;
                    }
                })
                .build();
        SocketOptions.Builder socket = SocketOptions.builder()
                .connectTimeout(Duration.ofSeconds(5))
                .keepAlive(SocketOptions.KeepAliveOptions.builder()
                        .enable()
                        .idle(Duration.ofSeconds(5))
                        .interval(Duration.ofSeconds(2))
                        .count(3)
                        .build());
        if (EpollProvider.isAvailable() || IOUringProvider.isAvailable()) {
            // only native transports can set it; Lettuce refuses to connect if asked without one
            socket.tcpUserTimeout(SocketOptions.TcpUserTimeoutOptions.builder()
                    .enable()
                    .tcpUserTimeout(Duration.ofSeconds(15))
                    .build());
        }
        return base.mutate()
                .autoReconnect(true)
                .replayFilter(command -> true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(REQUEST_QUEUE_BOUND)
                .protocolVersion(ProtocolVersion.RESP2)
                .timeoutOptions(timeouts)
                .socketOptions(socket.build())
                .build();
    }
}
