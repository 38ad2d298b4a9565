package dev.mkto.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * What every console page must pass in the browser: it has its heading and no error text, every
 * control has a label, text contrast is at least 4.5:1, nothing broke the CSP or failed to load —
 * and a screenshot, saved under {@code target/console-screenshots/}, that is not blank.
 */
public final class PageChecks {

    public static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final List<String> ERROR_TEXT = List.of("Internal error", "Exception", "Page not found", "could not be done",
            "This form has expired", "does not take");

    /** Unlabelled form controls (visible ones; hidden inputs need none). */
    private static final String UNLABELLED = """
            () => Array.from(document.querySelectorAll('input, select, textarea'))
              .filter(e => e.type !== 'hidden')
              .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
              .map(e => e.outerHTML.slice(0, 120))
            """;

    /** Text whose contrast against its (first opaque) background is under 4.5:1 (WCAG AA). */
    private static final String LOW_CONTRAST = """
            () => {
              const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
                const p = m[1].split(',').map(s => parseFloat(s)); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
              const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
              const background = el => { for (; el; el = el.parentElement) { const c = parse(getComputedStyle(el).backgroundColor);
                if (c && c.a > 0.99) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
              const low = []; const seen = new Set();
              const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
              while (walker.nextNode()) {
                const t = walker.currentNode; if (!t.nodeValue.trim()) continue;
                const el = t.parentElement; if (seen.has(el) || el.closest('svg') || el.closest('.sr-only') || el.closest('option')) continue;
                seen.add(el);
                const cs = getComputedStyle(el); const r = el.getBoundingClientRect();
                if (r.width === 0 || r.height === 0 || cs.visibility === 'hidden' || cs.display === 'none') continue;
                const fg = parse(cs.color); const bg = background(el);
                const a = lum(fg), b = lum(bg); const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
                if (ratio < 4.5) low.push(el.tagName + ' "' + t.nodeValue.trim().slice(0, 40) + '" ' + ratio.toFixed(2));
              }
              return low;
            }
            """;

    /** The accessible name of the focused element, roughly as a screen reader would say it. */
    private static final String FOCUSED = """
            () => { const e = document.activeElement; if (!e || e === document.body) return '';
              const label = e.getAttribute('aria-label') || (e.labels && e.labels.length ? e.labels[0].textContent : null);
              return (label || e.textContent || e.value || '').replace(/\\s+/g, ' ').trim(); }
            """;

    private final String base;
    private final Map<Page, List<String>> problems = new IdentityHashMap<>();
    private final List<Path> screenshots = new ArrayList<>();

    public PageChecks(String base) {
        this.base = base;
    }

    public static BrowserContext newContext(Chromium chromium, String base) {
        Browser browser = chromium.browser();
        return browser.newContext(new Browser.NewContextOptions().setBaseURL(base).setViewportSize(1280, 900));
    }

    /** Records, for a page, CSP violations, script errors and sub-resources that failed to load. */
    public Page watch(Page page) {
        List<String> list = new ArrayList<>();
        problems.put(page, list);
        page.onConsoleMessage(m -> {
            if (m.text().contains("Content Security Policy") || m.text().contains("Refused to")) {
                list.add("CSP: " + m.text());
            }
        });
        page.onPageError(e -> list.add("script error: " + e));
        page.onResponse(r -> {
            if (!r.request().resourceType().equals("document") && r.status() >= 400) {
                list.add(r.status() + " for " + r.url());
            }
        });
        return page;
    }

    public void signIn(Page page, String credential) {
        page.navigate(base + "/admin/login");
        page.getByLabel("Admin credential").fill(credential);
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Page.GetByRoleOptions().setName("Sign in")).click();
        page.waitForURL(Pattern.compile(".*/admin/users.*"));
    }

    /** Opens a console path and checks the page; {@code screenshot} names the saved image (or null). */
    public void open(Page page, String path, String heading, String screenshot) {
        page.navigate(base + path);
        check(page, heading, screenshot);
    }

    /** Checks the page as it is now. */
    public void check(Page page, String heading, String screenshot) {
        page.waitForLoadState();
        String url = page.url();
        if (heading != null) {
            PlaywrightAssertions.assertThat(page.locator("h1")).containsText(heading);
        }
        String text = page.locator("body").innerText();
        for (String error : ERROR_TEXT) {
            assertThat(text).as("error text on %s", url).doesNotContain(error);
        }
        assertThat(strings(page.evaluate(UNLABELLED))).as("controls without a label on %s", url).isEmpty();
        assertThat(strings(page.evaluate(LOW_CONTRAST))).as("text under 4.5:1 contrast on %s", url).isEmpty();
        assertThat(problems.getOrDefault(page, List.of())).as("CSP, script or loading problems on %s", url).isEmpty();
        if (screenshot != null) {
            screenshot(page, screenshot);
        }
    }

    /** The accessible names focus visits, pressing Tab {@code presses} times from the top of the page. */
    public List<String> tabOrder(Page page, int presses) {
        List<String> order = new ArrayList<>();
        for (int i = 0; i < presses; i++) {
            page.keyboard().press("Tab");
            String name = (String) page.evaluate(FOCUSED);
            if (!name.isEmpty()) {
                order.add(name);
            }
        }
        return order;
    }

    /** Presses Tab until the focused element is {@code name} (a label may add " (required)"). */
    public void focus(Page page, String name, int maxPresses) {
        for (int i = 0; i < maxPresses; i++) {
            page.keyboard().press("Tab");
            String focused = (String) page.evaluate(FOCUSED);
            if (focused.equals(name) || focused.startsWith(name + " (")) {
                return;
            }
        }
        throw new AssertionError("Tab never reached '" + name + "' on " + page.url());
    }

    public List<Path> screenshots() {
        return List.copyOf(screenshots);
    }

    private void screenshot(Page page, String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            byte[] png = page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
            assertRendered(png, file);
            screenshots.add(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Not blank: many colours, and a good share of pixels unlike the background. */
    static void assertRendered(byte[] png, Path file) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).as(file.toString()).isNotNull();
        int background = image.getRGB(image.getWidth() - 1, image.getHeight() - 1);
        Set<Integer> colours = new HashSet<>();
        long differing = 0;
        long total = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y);
                colours.add(rgb);
                if (rgb != background) {
                    differing++;
                }
                total++;
            }
        }
        assertThat(colours.size()).as("colours in %s", file).isGreaterThan(16);
        assertThat((double) differing / total).as("share of non-background pixels in %s", file).isGreaterThan(0.02);
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object result) {
        return result == null ? List.of() : (List<String>) result;
    }
}
