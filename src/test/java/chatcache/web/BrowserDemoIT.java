package chatcache.web;

import chatcache.events.EventSettings;
import chatcache.ratelimit.RateLimiter;
import chatcache.user.Authenticator;
import com.sun.net.httpserver.HttpServer;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static chatcache.web.ApiClient.Reply;
import static chatcache.web.ApiClient.messageBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo page in a real browser: Debian's Chromium, headless, driven through its chromedriver
 * (both installed by {@code ./dev test}). The page is served by a second HTTP server, so it runs on
 * another origin than the API ({@code http://localhost:<port>}), which the API under test admits
 * ({@code CHATCACHE_CORS_ORIGINS}); the same page from {@code http://127.0.0.1:<port>} is an
 * origin it does not admit. Posts are made through the API of another instance
 * ({@link LiveApp#app}, the same stores), so that they arrive while the page's instance is down.
 * Screenshots are written to {@code target/browser/}.
 */
class BrowserDemoIT extends LiveApp {
    private static final Path SHOTS = Path.of("target", "browser");
    private static final String CHROMIUM = System.getenv().getOrDefault("CHATCACHE_CHROMIUM", "/usr/bin/chromium");
    private static final String CHROMEDRIVER = System.getenv().getOrDefault("CHATCACHE_CHROMEDRIVER", "/usr/bin/chromedriver");
    /** A client further behind than this gets a reset: small, so that a test can put it there. */
    private static final int MAX_REPLAY = 3;
    private static final EventSettings EVENTS = new EventSettings(500, 10_000, 8, MAX_REPLAY, 100, 4 * 1024 * 1024, 500);

    private static HttpServer pages;
    private static String allowedOrigin;
    private static String refusedOrigin;
    private static CorsPolicy cors;
    /** The instance the page talks to, restarted by a test on the same port. */
    private static Javalin api;
    private static int apiPort;
    private static Path profile;
    private static WebDriver browser;

    @BeforeAll
    static void startPagesAndBrowser() throws IOException {
        pages = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        pages.createContext("/demo/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring("/demo/".length());
            String type = Map.of("index.html", "text/html", "app.js", "text/javascript", "demo.css", "text/css").get(name);
            try (exchange; InputStream in = type == null ? null : BrowserDemoIT.class.getClassLoader().getResourceAsStream("demo/" + name)) {
                if (in == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] body = in.readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        pages.start();
        allowedOrigin = "http://localhost:" + pages.getAddress().getPort();
        refusedOrigin = "http://127.0.0.1:" + pages.getAddress().getPort();
        cors = CorsPolicy.parse(allowedOrigin);
        api = startApi(0);
        apiPort = api.port();

        profile = Files.createTempDirectory("chatcache-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        // why each: root needs --no-sandbox; the machine has no display, no GPU and no network
        // beyond loopback, and a browser that phones home would wait for it; a fresh profile per run
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1000,800");
        // why a given driver: Selenium Manager would otherwise look for (and try to download) one
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SHOTS);
    }

    private static Javalin startApi(int port) {
        return WebApp.create(stores.cache, HttpLimits.DEFAULT, RateLimiter.OFF, EVENTS, cors).start("127.0.0.1", port);
    }

    @AfterAll
    static void stopPagesAndBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (api != null) {
            api.stop();
        }
        if (pages != null) {
            pages.stop(0);
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    @BeforeEach
    void emptyChats() {
        emptyStoresForChats();
    }

    @AfterEach
    void leaveThePage() {
        browser.get("about:blank"); // closes the page's event stream before the next test empties the stores
    }

    @Test
    void aPageOnAnotherOriginReadsAChatScrollsToOlderPagesAndShowsAPostWithinTwoSeconds() {
        long chat = chat("public");
        List<Long> ids = post(chat, owner, 25, "message");
        open(allowedOrigin, chat);
        waitFor(Duration.ofSeconds(10), () -> shownIds().size() == 20, "the newest page");
        assertEquals(ids.reversed().subList(0, 20), shownIds(), "newest first");
        waitForLive();

        ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, document.body.scrollHeight)");
        waitFor(Duration.ofSeconds(5), () -> shownIds().size() == 25, "the older page, on scrolling to the end");
        assertEquals(ids.reversed(), shownIds());

        long posted = post(chat, member, 1, "fresh from the API").getFirst();
        waitFor(Duration.ofSeconds(2), () -> shownIds().contains(posted), "the post, within 2 s");
        assertEquals(posted, shownIds().getFirst());
        screenshot("demo-anonymous.png");
    }

    @Test
    void theEventStreamSurvivesARestartOfTheAppMissingNothingAndShowsAReset() {
        long chat = chat("public");
        List<Long> ids = new ArrayList<>(post(chat, owner, 3, "before"));
        open(allowedOrigin, chat);
        waitForLive();

        restartWhile(() -> ids.addAll(post(chat, member, 2, "while the app was down")));
        waitFor(Duration.ofSeconds(20), () -> shownIds().equals(ids.reversed()), "the posts made while down, by Last-Event-ID");
        assertTrue(status().getText().startsWith("live"), status().getText());
        assertTrue(!status().getText().contains("reset"), "a few events behind: replayed, no reset");

        restartWhile(() -> ids.addAll(post(chat, member, MAX_REPLAY + 2, "too many to replay")));
        waitFor(Duration.ofSeconds(20), () -> status().getText().contains("reset"), "a reset");
        waitFor(Duration.ofSeconds(5), () -> shownIds().equals(ids.reversed().subList(0, Math.min(20, ids.size()))),
                "the page read again after the reset");
        screenshot("demo-after-reset.png");

        long posted = post(chat, owner, 1, "after the reset").getFirst();
        waitFor(Duration.ofSeconds(2), () -> shownIds().contains(posted), "live again");
    }

    @Test
    void aSearchShowsTheMatchingPage() {
        long chat = chat("public");
        post(chat, owner, 3, "apple pie");
        List<Long> bananas = post(chat, member, 2, "banana bread");
        post(chat, owner, 1, "banana split");
        open(allowedOrigin, chat);
        waitForLive();

        browser.findElement(By.id("text")).sendKeys("banana");
        browser.findElement(By.id("userIds")).sendKeys(Long.toString(member.user().id()));
        browser.findElement(By.cssSelector("#search button[type=submit]")).click();
        waitFor(Duration.ofSeconds(5), () -> shownIds().equals(bananas.reversed()), "the member's banana messages only");

        Reply api = send("POST", "/chat/" + chat + "/messages", ANONYMOUS,
                "{\"text\":\"banana\",\"userIds\":[" + member.user().id() + "]}");
        List<Long> expected = new ArrayList<>();
        api.json().get("messages").forEach(m -> expected.add(m.get("id").longValue()));
        assertEquals(expected, shownIds(), "as the API answers the same search");

        browser.findElement(By.id("clear-search")).click();
        waitFor(Duration.ofSeconds(5), () -> shownIds().size() == 6, "the whole chat again");
    }

    @Test
    void aSignedInPageFollowsAPrivateChatPostsAndSeesItsUnreadCounts() {
        long chat = chat("private");
        post(chat, member, 3, "for members only");
        open(allowedOrigin, chat);
        assertTrue(refusal().startsWith("404"), "anonymous: " + status().getText());

        browser.findElement(By.id("token")).sendKeys(owner.token());
        browser.findElement(By.cssSelector("#connect button")).click();
        waitForLive();
        waitFor(Duration.ofSeconds(5), () -> shownIds().size() == 3, "the members' messages");
        WebElement unread = browser.findElement(By.cssSelector("#unread li[data-chat-id='" + chat + "']"));
        assertTrue(unread.getText().startsWith("chat " + chat + ": "), unread.getText());

        long posted = post(chat, member, 1, "through the fetch stream").getFirst();
        waitFor(Duration.ofSeconds(2), () -> shownIds().contains(posted), "a member's post, within 2 s");

        browser.findElement(By.id("message")).sendKeys("Hello from a page on " + allowedOrigin);
        browser.findElement(By.cssSelector("#post button")).click();
        waitFor(Duration.ofSeconds(5), () -> shownIds().size() == 5, "the page's own post, back through its stream");
        assertTrue(browser.findElement(By.cssSelector("#messages li")).getText().contains("Hello from a page on"));
        screenshot("demo-signed-in.png");
    }

    @Test
    void aPageOnAnOriginTheApiDoesNotAdmitIsRefusedByTheBrowser() {
        long chat = chat("public");
        post(chat, owner, 2, "not for that page");
        open(refusedOrigin, chat);
        assertTrue(refusal().contains("could not reach"), status().getText());
        assertEquals(List.of(), shownIds());
        screenshot("demo-refused-origin.png");
    }

    // ------------------------------------------------------------------ helpers

    private long chat(String visibility) {
        return chatWithMember(visibility, "browser").get("id").longValue();
    }

    /** Posts n messages through the API ("text 1", "text 2", ...); their ids, oldest first. */
    private static List<Long> post(long chat, Authenticator.Issued who, int n, String text) {
        List<Long> ids = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Reply r = send("POST", "/chat/" + chat + "/message", who, messageBody(n == 1 ? text : text + " " + i, null));
            assertEquals(201, r.status(), r.body());
            ids.add(r.json().get("id").longValue());
        }
        return ids;
    }

    /** Stops the page's instance, does this meanwhile, and starts it again on the same port. */
    private static void restartWhile(Runnable meanwhile) {
        api.stop();
        waitFor(Duration.ofSeconds(10), () -> !"live".equals(status().getDomAttribute("data-state")), "the page losing its stream");
        meanwhile.run();
        api = startApi(apiPort);
    }

    private static void open(String origin, long chat) {
        browser.get(origin + "/demo/index.html?api=http://127.0.0.1:" + apiPort + "&chat=" + chat);
    }

    private static WebElement status() {
        return browser.findElement(By.id("status"));
    }

    /** The error the page shows, once it shows one. */
    private static String refusal() {
        waitFor(Duration.ofSeconds(10), () -> "error".equals(status().getDomAttribute("data-state")), "an error shown");
        return status().getText();
    }

    private static void waitForLive() {
        waitFor(Duration.ofSeconds(10), () -> "live".equals(status().getDomAttribute("data-state")), "the live stream");
    }

    /** The ids of the messages shown, top to bottom, read in one script (the page may redraw the list meanwhile). */
    private static List<Long> shownIds() {
        List<?> shown = (List<?>) ((JavascriptExecutor) browser).executeScript(
                "return [...document.querySelectorAll('#messages li')].map(li => li.dataset.id)");
        return shown.stream().map(id -> Long.parseLong((String) id)).toList();
    }

    private interface Condition {
        boolean holds();
    }

    private static void waitFor(Duration timeout, Condition condition, String what) {
        try {
            new WebDriverWait(browser, timeout, Duration.ofMillis(50)).until(d -> condition.holds());
        } catch (TimeoutException e) {
            screenshot("failed.png");
            throw new AssertionError("waited " + timeout.toMillis() + " ms for " + what + "; the page's status: '"
                    + status().getText() + "', messages shown: " + shownIds(), e);
        }
    }

    /** The whole page (the window made as tall as the page for it), as target/browser/NAME. */
    private static void screenshot(String name) {
        Dimension window = browser.manage().window().getSize();
        long height = (Long) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new Dimension(window.getWidth(), (int) Math.min(height + 100, 2400)));
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        browser.manage().window().setSize(window);
        try {
            Files.copy(shot.toPath(), SHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
