package io.pulse.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SslOptions;
import io.pulse.core.internal.BlockingConnection;
import io.pulse.core.internal.RedisFacade;
import io.pulse.testing.TlsRedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pulse over {@code rediss://} to a real TLS-only Redis whose certificate a throw-away CA signed, with
 * the server's certificate verified against a truststore holding that CA.
 */
class TlsConnectionTest {

    private static TlsRedisServer server;

    @BeforeAll
    static void startTlsRedis() {
        server = TlsRedisServer.start().orElse(null);
        Assumptions.assumeTrue(server != null, "needs openssl and a redis-server built with TLS on the PATH");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static SslOptions trustingTheTestCa() {
        return SslOptions.builder().truststore(server.truststore(), TlsRedisServer.TRUSTSTORE_PASSWORD).build();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Commands, pub/sub and a blocking read, each on its own TLS connection. */
    private static void everyKindOfConnectionWorks(PulseRedis redis) throws Exception {
        RedisFacade.of(redis).executeSync("set", c -> c.set(b("tls-key"), b("v")));
        assertThat(RedisFacade.of(redis).<byte[]>executeSync("get", c -> c.get(b("tls-key")))).isEqualTo(b("v"));
        List<String> got = new CopyOnWriteArrayList<>();
        Subscription sub = RedisFacade.of(redis).subscribe("tls-channel", m -> got.add(new String(m, StandardCharsets.UTF_8)))
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        RedisFacade.of(redis).executeSync("publish", c -> c.publish(b("tls-channel"), b("hello")));
        await().atMost(Duration.ofSeconds(10)).until(() -> got.contains("hello"));
        sub.close();
        try (BlockingConnection blocking = RedisFacade.of(redis).openBlockingConnection("tls")) {
            RedisFacade.of(redis).executeSync("rpush", c -> c.rpush(b("tls-list"), b("x")));
            io.lettuce.core.KeyValue<byte[], byte[]> popped =
                    blocking.call("blpop", Duration.ofSeconds(5), c -> c.blpop(5, b("tls-list")));
            assertThat(popped.getValue()).isEqualTo(b("x"));
        }
    }

    @Test
    void connectsWithRedissVerifyingTheServerAgainstATruststore() throws Exception {
        try (PulseRedis redis = PulseRedis.builder(server.uri()).ssl(trustingTheTestCa()).connect()) {
            everyKindOfConnectionWorks(redis);
        }
    }

    @Test
    void aBorrowedClientKeepsItsTlsOptions() throws Exception {
        RedisClient client = RedisClient.create(server.uri());
        client.setOptions(ClientOptions.builder().sslOptions(trustingTheTestCa()).build());
        try (PulseRedis redis = PulseRedis.of(client)) {
            everyKindOfConnectionWorks(redis);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void aServerCertificateNoTrustedCaSignedIsRefused() {
        // the JVM's default trust store does not hold the test CA: verification must fail the connect
        assertThatThrownBy(() -> PulseRedis.connect(server.uri()).close()).isInstanceOf(NotSentException.class)
                .hasStackTraceContaining("PKIX");
    }
}
