package io.pulse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulse.admin.web.Dashboard;
import io.pulse.testing.RedisServerExtension;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard's HTTP side without a browser: loopback by default, the token, the overview once and
 * as server-sent events, the guarded actions' confirmation and cross-site checks, bundled assets.
 */
class DashboardHttpTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static Dashboard dashboard;
    static Dashboard open;

    @BeforeAll
    static void start() {
        try (GoPlayedState go = new GoPlayedState(REDIS.uri())) {
            go.write();
        }
        PulseAdmin admin = PulseAdmin.builder(REDIS.newPulseRedis()).clock(Clock.fixed(GoPlayedState.T, ZoneOffset.UTC)).build();
        dashboard = Dashboard.builder(admin).port(0).token("s3cret").refresh(Duration.ofMillis(200)).start();
        open = Dashboard.builder(admin).port(0).refresh(Duration.ofMillis(200)).start();
    }

    @AfterAll
    static void stop() {
        dashboard.close();
        open.close();
    }

    private static HttpRequest.Builder request(Dashboard d, String path, String password) {
        HttpRequest.Builder b = HttpRequest.newBuilder(d.uri().resolve(path)).timeout(Duration.ofSeconds(20));
        if (password != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("ops:" + password)
                    .getBytes(StandardCharsets.UTF_8)));
        }
        return b;
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listensOnTheLoopbackAddressByDefault() {
        assertThat(dashboard.address().getAddress().isLoopbackAddress()).as(dashboard.address().toString()).isTrue();
        assertThat(dashboard.uri().getHost()).isEqualTo("127.0.0.1");
        assertThat(dashboard.port()).isPositive();
    }

    @Test
    void onLoopbackRequestsForAnotherHostNameAreRefused() throws Exception {
        assertThat(rawStatus(open, "evil.example:" + open.port())).isEqualTo(403);
        assertThat(rawStatus(open, "localhost:" + open.port())).isEqualTo(200);
        assertThat(rawStatus(open, "127.0.0.1:" + open.port())).isEqualTo(200);
    }

    /** The status of a GET of the overview sent with this Host header (HttpClient may not set it). */
    private static int rawStatus(Dashboard d, String host) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", d.port())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(("GET /api/overview HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    @Test
    void everyRequestNeedsTheTokenAsBasicPassword() throws Exception {
        HttpResponse<String> none = send(request(dashboard, "/", null).build());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic "));
        assertThat(send(request(dashboard, "/api/overview", "wrong").build()).statusCode()).isEqualTo(401);
        assertThat(send(request(dashboard, "/api/overview", null).header("Authorization", "Bearer s3cret").build())
                .statusCode()).isEqualTo(200);
        HttpResponse<String> page = send(request(dashboard, "/", "s3cret").build());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Pulse dashboard</title>");
    }

    @Test
    void theOverviewHoldsThePoolsStreamsMapsAndTheirHistory() throws Exception {
        JsonNode overview = JSON.readTree(send(request(open, "/api/overview", null).build()).body());
        assertThat(overview.get("pools").get(0).get("name").asText()).isEqualTo("goshop");
        assertThat(overview.get("pools").get(0).get("workers")).hasSize(3);
        assertThat(overview.get("streams").get(0).get("name").asText()).isEqualTo("orders");
        assertThat(overview.get("maps")).extracting(m -> m.get("name").asText()).contains("config", "flags");
        assertThat(overview.get("history").has("pool goshop")).isTrue();
        assertThat(overview.get("history").get("sink orders/billing").get(0).get(1).asLong()).isEqualTo(2);
        assertThat(overview.get("workerTtlMs").asLong()).isEqualTo(30_000);
        JsonNode map = JSON.readTree(send(request(open, "/api/map?name=flags&limit=10", null).build()).body());
        assertThat(map.get("entries")).hasSize(2);
        assertThat(send(request(open, "/api/map?name=nope", null).build()).statusCode()).isEqualTo(404);
    }

    @Test
    void eventsStreamPushesOneOverviewPerSample() throws Exception {
        HttpResponse<InputStream> response = HTTP.send(request(open, "/api/events", null).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            int overviews = 0;
            long lastId = 0;
            while (overviews < 2) {
                String line = lines.readLine();
                assertThat(line).isNotNull();
                if (line.startsWith("id: ")) {
                    long id = Long.parseLong(line.substring(4));
                    assertThat(id).isGreaterThan(lastId);
                    lastId = id;
                }
                if (line.startsWith("data: ")) {
                    assertThat(JSON.readTree(line.substring(6)).get("pools").get(0).get("name").asText()).isEqualTo("goshop");
                    overviews++;
                }
            }
        }
    }

    @Test
    void actionsNeedPostTheConfirmationHeaderAndTheDashboardsOwnOrigin() throws Exception {
        String body = "{\"map\": \"flags\", \"key\": \"beta\", \"value\": \"off\"}";
        HttpRequest.Builder post = request(open, "/api/actions/map-set", null).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> unconfirmed = send(post.build());
        assertThat(unconfirmed.statusCode()).isEqualTo(428);
        assertThat(REDIS.cli().hget("map:flags:content", "beta")).isEqualTo("on");

        HttpResponse<String> crossSite = send(request(open, "/api/actions/map-set", null).header("X-Pulse-Confirm", "yes")
                .header("Origin", "http://evil.example").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(REDIS.cli().hget("map:flags:content", "beta")).isEqualTo("on");

        assertThat(send(request(open, "/api/actions/map-set", null).header("X-Pulse-Confirm", "yes").build()).statusCode())
                .as("GET").isEqualTo(405);

        HttpResponse<String> done = send(request(open, "/api/actions/map-set", null).header("X-Pulse-Confirm", "yes")
                .header("Origin", "http://127.0.0.1:" + open.port()).POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(done.body()).get("applied").asBoolean()).isTrue();
        assertThat(REDIS.cli().hget("map:flags:content", "beta")).isEqualTo("off");

        HttpResponse<String> refused = send(request(open, "/api/actions/stop-job", null).header("X-Pulse-Confirm", "yes")
                .POST(HttpRequest.BodyPublishers.ofString("{\"pool\": \"goshop\", \"key\": \"nope\"}")).build());
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(refused.body()).get("message").asText()).isEqualTo("pool \"goshop\" has no job \"nope\"");

        HttpResponse<String> bad = send(request(open, "/api/actions/map-set", null).header("X-Pulse-Confirm", "yes")
                .POST(HttpRequest.BodyPublishers.ofString("{\"map\": \"flags\", \"key\": \"a=b\", \"value\": \"v\"}")).build());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("message").asText()).isEqualTo("key must not contain '=': \"a=b\"");
    }

    @Test
    void everyAssetIsBundledAndThePageMayLoadNothingFromElsewhere() throws Exception {
        Pattern external = Pattern.compile("(src|href)\\s*=\\s*[\"']?(https?:)?//|url\\(\\s*[\"']?(https?:)?//|@import");
        for (String asset : new String[] {"/", "/app.js", "/app.css"}) {
            HttpResponse<String> r = send(request(open, asset, null).build());
            assertThat(r.statusCode()).as(asset).isEqualTo(200);
            assertThat(external.matcher(r.body()).find()).as(asset + " loads nothing from another host").isFalse();
            assertThat(r.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                    assertThat(csp).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'"));
        }
        assertThat(send(request(open, "/../pom.xml", null).build()).statusCode()).isEqualTo(404);
    }

    @Test
    void theDashboardCommandServesUntilInterruptedWithoutPrintingTheRedisPassword() throws Exception {
        assertThat(REDIS.cli().aclSetuser("viewer", io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("pw-9876")
                .allKeys().allChannels().allCommands())).isEqualTo("OK");
        String url = "redis://viewer:pw-9876@" + REDIS.uri().substring("redis://".length());
        java.io.StringWriter out = new java.io.StringWriter();
        Thread serving = new Thread(() -> io.pulse.admin.cli.PulseCli.run(new String[] {"dashboard", "--port", "0", "--url", url},
                new java.io.PrintWriter(out), new java.io.PrintWriter(new java.io.StringWriter()), java.util.Map.of(),
                Clock.systemUTC()), "dashboard-command");
        serving.start();
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> out.toString().contains(" at http://"));
            String line = out.toString().trim();
            assertThat(line).startsWith("Pulse dashboard for redis://***@").doesNotContain("pw-9876");
            URI page = URI.create(line.substring(line.indexOf(" at ") + 4));
            assertThat(page.getHost()).isEqualTo("127.0.0.1");
            assertThat(send(HttpRequest.newBuilder(page.resolve("/api/overview")).build()).body()).contains("\"goshop\"");
        } finally {
            serving.interrupt();
            serving.join(10_000);
        }
        assertThat(serving.isAlive()).isFalse();
    }

    @Test
    void aRefreshedPageLoadsItsScriptAndStyleFromTheDashboard() throws Exception {
        String page = send(request(open, "/", null).build()).body();
        assertThat(page).contains("src=\"app.js\"", "href=\"app.css\"");
        URI script = open.uri().resolve("app.js");
        assertThat(send(HttpRequest.newBuilder(script).build()).headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/javascript"));
    }
}
