package io.prunesweep.report;

/**
 * A rendered chart: its file name beside {@code index.html}, what it shows, and the PNG bytes.
 * {@code width}/{@code height} are the CSS size; the PNG has {@link ChartImage#SCALE} times as many
 * pixels.
 */
public record Chart(
        String fileName, String title, String caption, byte[] png, int width, int height) {}
