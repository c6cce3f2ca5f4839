package io.pulse.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** How Spring's {@code spring.data.redis.*} settings turn into the URI Pulse connects with. */
class RedisTargetTest {

    private static RedisTarget resolve(String... properties) {
        MockEnvironment env = new MockEnvironment();
        for (String p : properties) {
            int eq = p.indexOf('=');
            env.setProperty(p.substring(0, eq), p.substring(eq + 1));
        }
        return RedisTarget.resolve(RedisTargetTest.bound(env).getRedis(), env);
    }

    private static PulseProperties bound(MockEnvironment env) {
        return PulseComponentRegistrar.bind(env);
    }

    private static RedisCredentials credentials(RedisURI uri) {
        return uri.getCredentialsProvider().resolveCredentials().block();
    }

    @Test
    void withoutSettingsLocalhost6379() {
        RedisTarget t = resolve();
        assertThat(t.uri()).isEqualTo("redis://localhost:6379");
        assertThat(t.source()).isEqualTo("default");
    }

    @Test
    void pulseUriFirst() {
        RedisTarget t = resolve("pulse.redis.uri=redis://a:1", "spring.data.redis.url=redis://b:2");
        assertThat(t.uri()).isEqualTo("redis://a:1");
        assertThat(t.source()).isEqualTo("pulse.redis.uri");
    }

    @Test
    void springHostPortDatabaseTlsAndCredentialsReadBackByLettuce() {
        RedisTarget t = resolve("spring.data.redis.host=redis.internal", "spring.data.redis.port=6380",
                "spring.data.redis.database=3", "spring.data.redis.ssl.enabled=true",
                "spring.data.redis.username=app", "spring.data.redis.password=a@b:c/d %e");
        RedisURI parsed = RedisURI.create(t.uri());
        assertThat(parsed.getHost()).isEqualTo("redis.internal");
        assertThat(parsed.getPort()).isEqualTo(6380);
        assertThat(parsed.getDatabase()).isEqualTo(3);
        assertThat(parsed.isSsl()).isTrue();
        assertThat(credentials(parsed).getUsername()).isEqualTo("app");
        assertThat(new String(credentials(parsed).getPassword())).isEqualTo("a@b:c/d %e");
        assertThat(t.redacted()).doesNotContain("a@b").contains("app:***@redis.internal");
    }

    @Test
    void springPasswordAloneAndIpv6Host() {
        RedisURI parsed = RedisURI.create(resolve("spring.data.redis.host=::1", "spring.data.redis.password=s3cret").uri());
        assertThat(parsed.getHost()).contains("::1");
        assertThat(new String(credentials(parsed).getPassword())).isEqualTo("s3cret");
    }

    @Test
    void springSentinelSettingsBecomeASentinelUri() {
        RedisTarget t = resolve("spring.data.redis.sentinel.master=my master",
                "spring.data.redis.sentinel.nodes=h1:26379, h2:26380", "spring.data.redis.password=pw",
                "spring.data.redis.database=2");
        RedisURI parsed = RedisURI.create(t.uri());
        assertThat(parsed.getSentinelMasterId()).isEqualTo("my master");
        assertThat(parsed.getSentinels()).extracting(RedisURI::getHost).containsExactly("h1", "h2");
        assertThat(parsed.getSentinels()).extracting(RedisURI::getPort).containsExactly(26379, 26380);
        assertThat(parsed.getDatabase()).isEqualTo(2);
        assertThat(new String(credentials(parsed).getPassword())).isEqualTo("pw");
    }

    @Test
    void clusterSeedsComeFromPulsesPropertyOrFromSpringsClusterNodes() {
        RedisTarget pulse = resolve("pulse.redis.cluster=redis://a:7000, redis://b:7001",
                "spring.data.redis.cluster.nodes=c:1");
        assertThat(pulse.cluster()).isTrue();
        assertThat(pulse.uris()).containsExactly("redis://a:7000", "redis://b:7001");
        assertThat(pulse.source()).isEqualTo("pulse.redis.cluster");

        RedisTarget spring = resolve("spring.data.redis.cluster.nodes=c:7000,d:7001", "spring.data.redis.username=u",
                "spring.data.redis.password=p w", "spring.data.redis.ssl.enabled=true");
        assertThat(spring.cluster()).isTrue();
        assertThat(spring.uris()).containsExactly("rediss://u:p%20w@c:7000", "rediss://u:p%20w@d:7001");
        assertThat(spring.redacted()).isEqualTo("rediss://u:***@c:7000,rediss://u:***@d:7001");
    }

    @Test
    void aUriAndClusterSeedsTogetherAreRefused() {
        assertThatIllegalStateException()
                .isThrownBy(() -> resolve("pulse.redis.uri=redis://a:1", "pulse.redis.cluster=redis://b:2"))
                .withMessageContaining("pulse.redis.uri").withMessageContaining("pulse.redis.cluster");
    }

    @Test
    void whatAUriCannotCarryIsRefusedNamingTheProperty() {
        for (List<String> settings : List.of(List.of("spring.data.redis.masterreplica.nodes=a:1"), List.of("spring.data.redis.ssl.bundle=b"),
                List.of("spring.data.redis.sentinel.master=m", "spring.data.redis.sentinel.nodes=a:1",
                        "spring.data.redis.sentinel.password=x"))) {
            String property = settings.get(settings.size() - 1);
            assertThatIllegalStateException().isThrownBy(() -> resolve(settings.toArray(String[]::new)))
                    .withMessageContaining(property.substring(0, property.indexOf('=')).replace("password", ""))
                    .withMessageContaining("pulse.redis.uri");
        }
    }

    @Test
    void lettuceOlderThanSevenOrNettyOlderThan42IsRefusedWithTheFix() {
        assertThatIllegalStateException()
                .isThrownBy(() -> LettuceVersionCheck.requireSupportedLettuce("6.8.2.RELEASE/0a1b"))
                .withMessageContaining("6.8.2.RELEASE").withMessageContaining("lettuce.version");
        assertThatNoException().isThrownBy(() -> LettuceVersionCheck.requireSupportedLettuce("7.7.0.RELEASE/1960d49"));
        assertThatNoException().isThrownBy(() -> LettuceVersionCheck.requireSupportedLettuce(null));
        assertThatIllegalStateException().isThrownBy(() -> LettuceVersionCheck.requireNetty42(false, "4.1.128.Final"))
                .withMessageContaining("4.1.128.Final").withMessageContaining("netty.version");
        // the class path this module gets from Boot's parent plus README's properties passes
        assertThatNoException().isThrownBy(LettuceVersionCheck::requireSupported);
    }
}
