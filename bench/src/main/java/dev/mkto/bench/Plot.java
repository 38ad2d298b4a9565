package dev.mkto.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** The scale curves as a PNG: cost per request (µs, linear) against scale (log), one panel per x axis. */
final class Plot {

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};

    private Plot() {
    }

    static void write(Path file, Map<String, double[]> curves) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Map.Entry<String, double[]>> byLeads = new ArrayList<>();
        List<Map.Entry<String, double[]>> byServices = new ArrayList<>();
        curves.entrySet().forEach(e -> (e.getKey().contains("by leads") ? byLeads : byServices).add(e));
        BufferedImage image = new BufferedImage(1200, 500, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 1200, 500);
        panel(g, 0, "leads in the database", byLeads);
        panel(g, 600, "services (callers) in use", byServices);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static void panel(Graphics2D g, int left, String xLabel, List<Map.Entry<String, double[]>> curves) {
        int x0 = left + 70;
        int x1 = left + 570;
        int y0 = 400;
        int y1 = 60;
        double minX = Double.MAX_VALUE;
        double maxX = 0;
        double maxY = 0;
        for (var c : curves) {
            for (int i = 0; i < c.getValue().length; i += 2) {
                minX = Math.min(minX, c.getValue()[i]);
                maxX = Math.max(maxX, c.getValue()[i]);
                maxY = Math.max(maxY, c.getValue()[i + 1]);
            }
        }
        if (curves.isEmpty()) {
            return;
        }
        maxY = Math.ceil(maxY * 1.25 / 10) * 10;
        double lo = Math.log10(minX);
        double hi = Math.max(lo + 1, Math.log10(maxX));
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawLine(x0, y0, x1, y0);
        g.drawLine(x0, y0, x0, y1);
        g.drawString("µs per request (lower is better) against " + xLabel, x0, y1 - 25);
        for (int t = 0; t <= 4; t++) {
            int y = y0 - (y0 - y1) * t / 4;
            g.setColor(new Color(0xdddddd));
            g.drawLine(x0 + 1, y, x1, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.0f", maxY * t / 4), left + 20, y + 5);
        }
        for (double d = Math.ceil(lo); d <= hi; d++) {
            int x = (int) (x0 + (x1 - x0) * (d - lo) / (hi - lo));
            g.drawLine(x, y0, x, y0 + 5);
            g.drawString(String.format(Locale.ROOT, "%,.0f", Math.pow(10, d)), x - 20, y0 + 20);
        }
        g.drawString(xLabel + " (log scale)", x0 + 150, y0 + 45);
        int legend = 0;
        for (var c : curves) {
            Color color = COLORS[legend % COLORS.length];
            g.setColor(color);
            g.setStroke(new BasicStroke(2.5f));
            double[] v = c.getValue();
            int px = -1;
            int py = -1;
            for (int i = 0; i < v.length; i += 2) {
                int x = (int) (x0 + (x1 - x0) * (Math.log10(v[i]) - lo) / (hi - lo));
                int y = (int) (y0 - (y0 - y1) * v[i + 1] / maxY);
                g.fillOval(x - 4, y - 4, 8, 8);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            g.drawString(c.getKey(), x0 + 10, y1 + 15 + 18 * legend);
            legend++;
        }
        g.setStroke(new BasicStroke(1f));
    }
}
