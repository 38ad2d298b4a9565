package dev.mkto.server.testing;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A headless Chromium driven by Playwright: Debian's {@code /usr/bin/chromium} (override with
 * {@code MKTO_TEST_CHROMIUM}); Playwright downloads nothing. Where no Chromium is installed, the
 * browser tests are skipped with a loud message, unless {@code CI} is set, where they fail
 * ({@code .ci/run} installs it).
 */
public final class Chromium implements AutoCloseable {

    private static final Path EXECUTABLE = Path.of(System.getenv().getOrDefault("MKTO_TEST_CHROMIUM", "/usr/bin/chromium"));
    private static final List<String> ARGS = List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run");

    private final Playwright playwright;
    private final Browser browser;

    private Chromium(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    /** Launches Chromium, or skips (fails under CI) when it is not installed. */
    public static Chromium launch() {
        if (!Files.isExecutable(EXECUTABLE)) {
            String message = "Chromium is not installed at " + EXECUTABLE + " (apt-get install -y chromium)";
            String ci = System.getenv("CI");
            if (ci != null && !ci.isBlank() && !ci.equals("false")) {
                Assertions.fail(message + " and CI requires the browser tests");
            }
            System.err.println("!!!!! " + message + ": SKIPPING the browser tests !!!!!");
            Assumptions.abort(message + ": browser tests skipped");
        }
        Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(EXECUTABLE)
                    .setHeadless(true)
                    .setArgs(ARGS));
            return new Chromium(playwright, browser);
        } catch (RuntimeException e) {
            playwright.close();
            throw e;
        }
    }

    public Browser browser() {
        return browser;
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}
