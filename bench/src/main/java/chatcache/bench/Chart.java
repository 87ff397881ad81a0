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

    /** One plotted line: a workload on a route, its p99 at each chat size (NaN where not measured). */
    private record Line(String label, Color color, boolean dashed, double[] y) {
    }

    /**
     * Where values land in the plot area: x is the chat size on a log scale from minX to maxX
     * (decades), y the p99 in ms from 0 to maxY.
     */
    private record Plot(double minX, double maxX, double maxY) {
        static final int WIDTH = W - LEFT - RIGHT;
        static final int HEIGHT = H - TOP - BOTTOM;

        int x(double messages) {
            return LEFT + (int) Math.round(WIDTH * (Math.log10(messages) - minX) / (maxX - minX));
        }

        int y(double millis) {
            return TOP + HEIGHT - (int) Math.round(HEIGHT * millis / maxY);
        }
    }

    private static final Color[] COLORS = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C),
            new Color(0x9467BD), new Color(0xFF7F0E), new Color(0x8C564B), new Color(0xE377C2), new Color(0x7F7F7F),
            new Color(0xBCBD22), new Color(0x17BECF), new Color(0x000000), new Color(0xAEC7E8)};
    private static final Color GRID = new Color(0xE0E0E0);

    static void write(BenchResult result, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BenchResult.Size[] sizes = result.sizes().toArray(BenchResult.Size[]::new);
        int clients = result.options().mostClients();
        List<Line> lines = lines(result, sizes, clients);
        Plot plot = plot(result, lines);

        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            drawBackgroundAndTitle(g, clients);
            drawYAxis(g, plot);
            drawXAxis(g, plot, sizes);
            drawLinesAndLegend(g, plot, sizes, lines);
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(img, "png", png.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    /** Every read workload on both app routes, a colour per workload, the MySQL route dashed. */
    private static List<Line> lines(BenchResult result, BenchResult.Size[] sizes, int clients) {
        List<Line> lines = new ArrayList<>();
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
                lines.add(new Line(w + " / " + path + " (" + caller + ")", COLORS[wi % COLORS.length],
                        path.equals(BenchResult.MYSQL), y));
            }
            wi++;
        }
        return lines;
    }

    /** The axes' ranges: the measured sizes (a decade around a single one), 0 to a round figure above the highest p99. */
    private static Plot plot(BenchResult result, List<Line> lines) {
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
        return new Plot(minX, maxX, niceCeil(maxY <= 0 ? 1 : maxY * 1.1));
    }

    private static void drawBackgroundAndTitle(Graphics2D g, int clients) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(String.format(Locale.ROOT, "chatcache: p99 latency vs chat size, %d clients (HTTP, closed loop)",
                clients), LEFT, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    }

    /** Six horizontal grid lines with their ms figures. */
    private static void drawYAxis(Graphics2D g, Plot plot) {
        double maxY = plot.maxY();
        for (int i = 0; i <= 5; i++) {
            double v = maxY * i / 5;
            int y = plot.y(v);
            g.setColor(GRID);
            g.drawLine(LEFT, y, LEFT + Plot.WIDTH, y);
            g.setColor(Color.BLACK);
            String t = String.format(Locale.ROOT, maxY >= 10 ? "%.0f" : "%.1f", v);
            g.drawString(t, LEFT - 8 - g.getFontMetrics().stringWidth(t), y + 4);
        }
    }

    /** A grid line at each decade, a tick at each measured size; the frame and both axis titles. */
    private static void drawXAxis(Graphics2D g, Plot plot, BenchResult.Size[] sizes) {
        int pw = Plot.WIDTH;
        int ph = Plot.HEIGHT;
        for (int d = (int) Math.ceil(plot.minX()); d <= Math.floor(plot.maxX()); d++) {
            int x = plot.x(Math.pow(10, d));
            g.setColor(GRID);
            g.drawLine(x, TOP, x, TOP + ph);
        }
        g.setColor(Color.BLACK);
        for (BenchResult.Size s : sizes) {
            int x = plot.x(s.messages());
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
    }

    /** Each line through its measured points, and its legend entry right of the plot. */
    private static void drawLinesAndLegend(Graphics2D g, Plot plot, BenchResult.Size[] sizes, List<Line> lines) {
        int legendX = LEFT + Plot.WIDTH;
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
                int x = plot.x(sizes[i].messages());
                int y = plot.y(l.y()[i]);
                g.fillOval(x - 4, y - 4, 8, 8);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            g.drawLine(legendX + 15, ly, legendX + 45, ly);
            g.setColor(Color.BLACK);
            g.drawString(l.label(), legendX + 52, ly + 4);
            ly += step;
        }
        g.setStroke(new BasicStroke(1f));
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
