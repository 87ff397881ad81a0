package chatcache.bench;

import javax.imageio.ImageIO;
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

/**
 * The latency chart as a PNG, drawn with the JDK only (headless AWT + ImageIO): p99 against chat
 * size (log x axis), one line per workload and route, at the largest client count.
 */
final class Chart {
    private static final int W = 960;
    private static final int H = 640;
    private static final int LEFT = 80;
    private static final int RIGHT = 270;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;

    private Chart() {
    }

    static void write(BenchResult result, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BenchResult.Size[] sizes = result.sizes().toArray(BenchResult.Size[]::new);
        int clients = result.options().mostClients();
        record Line(String label, Color color, boolean dashed, double[] y) {
        }
        List<Line> lines = new ArrayList<>();
        Color[] colors = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C), new Color(0x9467BD),
                new Color(0xFF7F0E), new Color(0x8C564B), new Color(0xE377C2), new Color(0x7F7F7F),
                new Color(0xBCBD22), new Color(0x17BECF), new Color(0x000000), new Color(0xAEC7E8)};
        int wi = 0;
        for (String w : result.readWorkloads()) {
            for (String path : List.of(BenchResult.REDIS, BenchResult.MYSQL)) {
                double[] y = new double[sizes.length];
                for (int i = 0; i < sizes.length; i++) {
                    y[i] = result.row(sizes[i].messages(), w, path, clients).map(BenchResult.Row::p99Millis).orElse(Double.NaN);
                }
                boolean anonymous = path.equals(BenchResult.REDIS) && result.sizes().stream()
                        .flatMap(s -> s.workloads().stream()).anyMatch(x -> x.name().equals(w) && x.anonymous());
                String caller = path.equals(BenchResult.MYSQL) ? "API" : anonymous ? "no token" : "USER";
                lines.add(new Line(w + " / " + path + " (" + caller + ")", colors[wi % colors.length],
                        path.equals(BenchResult.MYSQL), y));
            }
            wi++;
        }
        double minX = Math.log10(result.options().smallestSize());
        double maxX = Math.log10(result.options().largestSize());
        if (maxX - minX < 1e-9) {
            minX -= 0.5;
            maxX += 0.5;
        }
        double maxY = 0;
        for (Line l : lines) {
            for (double v : l.y()) {
                if (Double.isFinite(v)) {
                    maxY = Math.max(maxY, v);
                }
            }
        }
        maxY = niceCeil(maxY <= 0 ? 1 : maxY * 1.1);

        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            int pw = W - LEFT - RIGHT;
            int ph = H - TOP - BOTTOM;
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(String.format(Locale.ROOT, "chatcache: p99 latency vs chat size, %d clients (HTTP, closed loop)",
                    clients), LEFT, 28);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            // grid and y ticks
            for (int i = 0; i <= 5; i++) {
                double v = maxY * i / 5;
                int y = TOP + ph - (int) Math.round(ph * v / maxY);
                g.setColor(new Color(0xE0E0E0));
                g.drawLine(LEFT, y, LEFT + pw, y);
                g.setColor(Color.BLACK);
                String t = String.format(Locale.ROOT, maxY >= 10 ? "%.0f" : "%.1f", v);
                g.drawString(t, LEFT - 8 - g.getFontMetrics().stringWidth(t), y + 4);
            }
            // x ticks: each decade, and each measured size
            double fMinX = minX;
            double fMaxX = maxX;
            java.util.function.DoubleToIntFunction xOf = n -> LEFT + (int) Math.round(pw * (Math.log10(n) - fMinX) / (fMaxX - fMinX));
            for (int d = (int) Math.ceil(minX); d <= Math.floor(maxX); d++) {
                int x = xOf.applyAsInt(Math.pow(10, d));
                g.setColor(new Color(0xE0E0E0));
                g.drawLine(x, TOP, x, TOP + ph);
            }
            g.setColor(Color.BLACK);
            for (BenchResult.Size s : sizes) {
                int x = xOf.applyAsInt(s.messages());
                String t = String.format(Locale.ROOT, "%,d", s.messages());
                g.drawLine(x, TOP + ph, x, TOP + ph + 5);
                g.drawString(t, x - g.getFontMetrics().stringWidth(t) / 2, TOP + ph + 20);
            }
            g.drawRect(LEFT, TOP, pw, ph);
            g.drawString("messages in the chat (log scale)", LEFT + pw / 2 - 90, H - 15);
            Graphics2D gy = (Graphics2D) g.create();
            gy.rotate(-Math.PI / 2);
            gy.drawString("p99 latency, ms", -(TOP + ph / 2 + 45), 20);
            gy.dispose();
            // lines
            int ly = TOP + 10;
            // why: one legend line per workload and route; the filter rows of issue #10 make 22
            int step = Math.max(12, Math.min(22, (H - TOP - 20) / Math.max(1, lines.size())));
            for (Line l : lines) {
                g.setColor(l.color());
                g.setStroke(l.dashed() ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                        new float[] {7f, 5f}, 0f) : new BasicStroke(2.5f));
                int px = -1;
                int py = -1;
                for (int i = 0; i < sizes.length; i++) {
                    if (!Double.isFinite(l.y()[i])) {
                        continue;
                    }
                    int x = xOf.applyAsInt(sizes[i].messages());
                    int y = TOP + ph - (int) Math.round(ph * l.y()[i] / maxY);
                    g.fillOval(x - 4, y - 4, 8, 8);
                    if (px >= 0) {
                        g.drawLine(px, py, x, y);
                    }
                    px = x;
                    py = y;
                }
                g.drawLine(LEFT + pw + 15, ly, LEFT + pw + 45, ly);
                g.setColor(Color.BLACK);
                g.drawString(l.label(), LEFT + pw + 52, ly + 4);
                ly += step;
            }
            g.setStroke(new BasicStroke(1f));
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(img, "png", png.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    private static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
