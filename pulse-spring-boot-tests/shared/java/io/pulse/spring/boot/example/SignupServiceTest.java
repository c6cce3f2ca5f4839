package io.pulse.spring.boot.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulse.testing.RedisServerExtension;
import io.pulse.examples.spring.SignupApplication;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example service as a user runs it, against a real Redis named only by Spring's
 * {@code spring.data.redis.url} (Spring Data Redis is on the class path too): a signup goes through the
 * flag map, the users stream (to the audit sink) and the email pool (to the worker bean), and the
 * Actuator shows Pulse's health.
 */
// declared before @SpringBootTest, so JUnit starts this Redis before Spring's extension and stops it
// after Spring closed the (dirtied) context: the service leaves its pool while Redis still answers
@ExtendWith(SignupServiceTest.RedisAroundSpring.class)
@SpringBootTest(classes = SignupApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class SignupServiceTest {

    static final RedisServerExtension REDIS = new RedisServerExtension();

    /** Runs {@link #REDIS} around the Spring extension (see the class's annotations). */
    static final class RedisAroundSpring implements BeforeAllCallback, AfterAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            REDIS.beforeAll(context);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            REDIS.afterAll(context);
        }
    }

    @Autowired
    private ConfigurableApplicationContext context;

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        // as an application that already uses Spring Data Redis (on this class path) is configured: Pulse
        // follows Spring's setting
        registry.add("spring.data.redis.url", REDIS::uri);
        SignupTimings.fast(registry::add);
    }

    private Http http;

    @BeforeEach
    void client() {
        http = Http.of(context);
    }

    @Test
    void aSignupFlowsThroughTheFlagMapTheStreamAndThePool() {
        assertThat(http.put("/flags/email.template", "welcome-v2").status()).isEqualTo(200);

        Http.Reply accepted = http.post("/signups", "{\"user\":\"ada\",\"email\":\"ada@example.com\"}");
        assertThat(accepted.status()).isEqualTo(201);
        assertThat(accepted.body().get("welcomeEmail").asBoolean()).isTrue();
        assertThat(accepted.body().get("job").asText()).isEqualTo("welcome:ada");
        String event = accepted.body().get("event").asText();
        // the event is on the stream in Pulse's layout
        assertThat(REDIS.cli().xrange("pulse:stream:users", io.lettuce.core.Range.create(event, event)))
                .singleElement().satisfies(m -> assertThat(m.getBody()).containsEntry("n", "user.created"));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode status = http.get("/signups/ada").body();
            assertThat(status.get("auditedEvent").asText()).isEqualTo(event);
            assertThat(status.get("welcomeEmail").asText()).isEqualTo("sent to ada@example.com with welcome-v2");
            assertThat(status.get("jobRunning").asBoolean()).isTrue();
        });
        // the sink acknowledged the event once it was recorded
        assertThat(REDIS.cli().xpending("pulse:stream:users", "audit").getCount()).isZero();

        assertThat(http.post("/signups", "{\"user\":\"ada\",\"email\":\"ada@example.com\"}").status()).isEqualTo(409);
    }

    @Test
    void withTheFlagOffNoJobIsDispatchedButTheEventIsAudited() {
        http.put("/flags/welcome-email", "false");
        try {
            Http.Reply accepted = http.post("/signups", "{\"user\":\"grace\",\"email\":\"grace@example.com\"}");
            assertThat(accepted.status()).isEqualTo(201);
            assertThat(accepted.body().get("welcomeEmail").asBoolean()).isFalse();
            assertThat(accepted.body().get("job").isNull()).isTrue();
            String event = accepted.body().get("event").asText();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(http.get("/signups/grace").body().get("auditedEvent").asText()).isEqualTo(event));
            JsonNode status = http.get("/signups/grace").body();
            assertThat(status.get("jobRunning").asBoolean()).isFalse();
            assertThat(status.get("welcomeEmail").isNull()).isTrue();
        } finally {
            http.put("/flags/welcome-email", "true");
        }
    }

    @Test
    void badInputIsRefusedBeforeAnyPulseCall() {
        long events = REDIS.cli().xlen("pulse:stream:users");
        Http.Reply refused = http.post("/signups", "{\"user\":\"Not A Name\",\"email\":\"x@example.com\"}");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().get("error").asText()).contains("user must be");
        assertThat(REDIS.cli().xlen("pulse:stream:users")).isEqualTo(events);
    }

    @Test
    void theActuatorShowsPulsesHealth() {
        Http.Reply health = http.get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().get("status").asText()).isEqualTo("UP");
        JsonNode pulse = health.body().get("components").get("pulse");
        assertThat(pulse.get("status").asText()).isEqualTo("UP");
        assertThat(pulse.get("details").get("redis").asText()).isEqualTo("reachable");
        // Spring Data Redis's own indicator, on the same settings and Pulse's Lettuce
        assertThat(health.body().get("components").get("redis").get("status").asText()).isEqualTo("UP");
        JsonNode email = pulse.get("details").get("pools").get("email");
        assertThat(email.get("state").asText()).isEqualTo("joined");
        assertThat(email.get("workersRunning").asInt()).isEqualTo(1);
    }
}
