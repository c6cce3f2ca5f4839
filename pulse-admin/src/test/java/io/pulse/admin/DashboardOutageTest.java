package io.pulse.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.admin.web.Dashboard;
import io.pulse.core.PulseRedis;
import io.pulse.testing.RedisServerExtension;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dashboard outlives a Redis that dies and comes back: it says the reading failed, then recovers. */
class DashboardOutageTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aKilledRedisShowsAsAnErrorAndTheOverviewReturnsWhenItIsBack() throws Exception {
        try (GoPlayedState go = new GoPlayedState(REDIS.uri())) {
            go.write();
        }
        REDIS.cli().bgrewriteaof();
        await().atMost(Duration.ofSeconds(20)).until(() -> REDIS.cli().info("persistence").contains("aof_rewrite_in_progress:0"));
        PulseRedis redis = REDIS.track(PulseRedis.builder(REDIS.uri()).commandTimeout(Duration.ofSeconds(2))
                .reconnectWait(Duration.ofSeconds(1)).connect());
        PulseAdmin admin = PulseAdmin.builder(redis).clock(Clock.fixed(GoPlayedState.T, ZoneOffset.UTC)).build();
        HttpClient http = HttpClient.newHttpClient();
        try (Dashboard dashboard = Dashboard.builder(admin).port(0).refresh(Duration.ofMillis(200)).start()) {
            HttpRequest overview = HttpRequest.newBuilder(dashboard.uri().resolve("/api/overview")).build();
            await().atMost(Duration.ofSeconds(20)).until(() -> pools(http, overview) == 1);

            REDIS.kill();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                JsonNode o = JSON.readTree(http.send(overview, HttpResponse.BodyHandlers.ofString()).body());
                return !o.get("error").isNull() && o.get("pools").isEmpty();
            });

            REDIS.restart();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                JsonNode o = JSON.readTree(http.send(overview, HttpResponse.BodyHandlers.ofString()).body());
                return o.get("error").isNull() && o.get("pools").size() == 1;
            });
            JsonNode back = JSON.readTree(http.send(overview, HttpResponse.BodyHandlers.ofString()).body());
            assertThat(back.get("pools").get(0).get("name").asText()).isEqualTo("goshop");
        }
    }

    private static int pools(HttpClient http, HttpRequest overview) throws Exception {
        return JSON.readTree(http.send(overview, HttpResponse.BodyHandlers.ofString()).body()).get("pools").size();
    }
}
