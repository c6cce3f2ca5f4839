package io.pulse.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulse.admin.web.Dashboard;
import io.pulse.testing.RedisServerExtension;
import io.pulse.pool.Node;
import io.pulse.pool.Worker;
import io.pulse.rmap.ReplicatedMap;
import io.pulse.streaming.Sink;
import io.pulse.streaming.Stream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The dashboard in a real headless browser (Debian's chromium driven through Debian's chromedriver;
 * nothing is downloaded): the page loads without console errors, shows the pool's workers as
 * columns with their jobs, the lag chart follows events added to a stream, and the keyboard can stop
 * a job through the confirmation dialog. Leaves a screenshot in {@code target/dashboard.png}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final Duration LONG = Duration.ofMinutes(10);

    static Node node;
    static Worker first;
    static Worker second;
    static RecordingHandler firstJobs = new RecordingHandler();
    static RecordingHandler secondJobs = new RecordingHandler();
    static Stream clicks;
    static Sink counter;
    static Dashboard dashboard;
    static WebDriver browser;
    static Path userData;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
                "needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver); .ci/run installs them");
        node = Node.builder("web-shop", REDIS.newPulseRedis()).workerTtl(LONG).ackGracePeriod(LONG)
                .jobSinkBlockDuration(Duration.ofMillis(200)).workerShutdownTtl(Duration.ofSeconds(5)).join();
        first = node.addWorker(firstJobs);
        second = node.addWorker(secondJobs);
        for (String key : List.of("invoice-17", "invoice-18", "refund-3", "refund-4")) {
            node.dispatchJob(key, ("{\"id\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8));
        }
        clicks = Stream.open("clicks", REDIS.newPulseRedis());
        counter = clicks.sink("counter").ackGracePeriod(LONG).open();
        ReplicatedMap settings = ReplicatedMap.join("settings", REDIS.newPulseRedis());
        settings.set("theme", "dark");
        settings.set("max-retries", "5");

        // the pool's own worker TTL, as an operator gives it: keep-alives come every 5 minutes here
        PulseAdmin admin = PulseAdmin.builder(REDIS.newPulseRedis()).workerTtl(LONG).build();
        dashboard = Dashboard.builder(admin).port(0).refresh(Duration.ofMillis(300)).start();

        userData = Files.createTempDirectory("pulse-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + userData, "--window-size=1280,1500");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        browser.get(dashboard.uri().toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (dashboard != null) {
            dashboard.close();
        }
        if (counter != null) {
            counter.close();
        }
        if (node != null) {
            node.close();
        }
        if (userData != null) {
            try (var files = Files.walk(userData)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Waits that retry while the page replaces the elements a condition looked at. */
    private static org.awaitility.core.ConditionFactory settled() {
        return await().ignoreExceptions().pollInterval(Duration.ofMillis(100));
    }

    private static String attribute(By element, String name) {
        return browser.findElement(element).getAttribute(name);
    }

    private static List<String> texts(String css, String attribute) {
        return browser.findElements(By.cssSelector(css)).stream().map(e -> e.getAttribute(attribute))
                .collect(Collectors.toList());
    }

    @Test
    @Order(1)
    void thePageShowsEveryWorkerAsAColumnWithItsJobsAndLogsNoError() throws Exception {
        // the page re-renders on every update it streams: read the columns inside the retrying wait
        settled().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                texts("[data-pool='web-shop'] [data-worker]", "data-worker")).containsExactly(first.id(), second.id()));
        for (Worker w : List.of(first, second)) {
            settled().atMost(Duration.ofSeconds(20)).until(() -> texts("[data-worker='" + w.id() + "'] [data-job]", "data-job")
                    .equals(w.jobKeys()));
        }
        settled().atMost(Duration.ofSeconds(20)).until(() -> browser.findElement(By.cssSelector("[data-pool='web-shop'] .summary"))
                .getText().equals("1 of 1 node alive · 2 of 2 workers alive · 4 jobs · 0 dispatches in flight · backlog 0"));
        settled().atMost(Duration.ofSeconds(20)).until(() -> browser.findElement(By.id("maps-body")).getText().contains("settings"));
        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).collect(Collectors.toList());
        assertThat(errors).as("console warnings and errors").isEmpty();
    }

    @Test
    @Order(2)
    void theLagChartFollowsEventsAddedToAStream() throws Exception {
        By series = By.cssSelector("polyline[data-series='sink clicks/counter']");
        settled().atMost(Duration.ofSeconds(20)).until(() -> !browser.findElements(series).isEmpty());
        settled().atMost(Duration.ofSeconds(20)).until(() -> "0".equals(attribute(series, "data-last")));
        for (int i = 0; i < 5; i++) {
            clicks.add("click", new byte[] {(byte) i});
        }
        settled().atMost(Duration.ofSeconds(20)).until(() -> "5".equals(attribute(series, "data-last")));
        int[] points = new int[1];
        settled().atMost(Duration.ofSeconds(5)).until(() -> (points[0] = Integer.parseInt(attribute(series, "data-points"))) > 0);
        settled().atMost(Duration.ofSeconds(20)).until(() -> Integer.parseInt(attribute(series, "data-points")) > points[0]);
        settled().atMost(Duration.ofSeconds(20)).until(() -> browser.findElement(
                By.cssSelector(".legend [data-series='sink clicks/counter']")).getText().equals("sink clicks/counter: 5"));
        // for people to look at: the pool, and the chart with the lag that just rose
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "dashboard.png"),
                ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

    }

    @Test
    @Order(3) // changes the pool the others look at
    void theKeyboardStopsAJobThroughTheConfirmationDialog() {
        String key = "refund-3";
        RecordingHandler owner = first.jobKeys().contains(key) ? firstJobs : secondJobs;
        By stop = By.cssSelector("button[aria-label='Stop job " + key + " of pool web-shop']");
        WebElement dialog = browser.findElement(By.id("confirm"));
        settled().atMost(Duration.ofSeconds(20)).until(() -> {
            browser.findElement(stop).sendKeys(Keys.ENTER);
            return dialog.isDisplayed();
        });
        assertThat(browser.findElement(By.id("confirm-text")).getText()).isEqualTo("Stop job " + key + " of pool web-shop?");
        assertThat(browser.switchTo().activeElement().getText()).as("focus starts on Cancel").isEqualTo("Cancel");
        browser.switchTo().activeElement().sendKeys(Keys.TAB);
        assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Confirm");
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);

        settled().atMost(Duration.ofSeconds(20)).until(() -> owner.stopped.contains(key));
        assertThat(owner.running).doesNotContain(key);
        settled().atMost(Duration.ofSeconds(20)).until(() -> browser.findElements(By.cssSelector("[data-job='" + key + "']")).isEmpty());
        assertThat(browser.findElement(By.id("status")).getText()).startsWith("Done: stop requested for job \"" + key + "\"");
    }
}
