package io.prunesweep.sweep.config;

import io.prunesweep.InputException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Spark master URL, checked before any work: its form (Spark itself only says "Could not parse
 * Master URL" with a trace, after the backend check) and, for a standalone master, that one of its
 * addresses answers within a few seconds (Spark retries an unreachable master for about a minute,
 * then fails with "LiveListenerBus is stopped").
 */
public final class SparkMaster {
    /** How long a standalone master has to accept a TCP connection. */
    public static final int CONNECT_TIMEOUT_MS = 3000;

    private static final Pattern LOCAL =
            Pattern.compile(
                    "local(\\[(\\*|[1-9][0-9]*)(,[0-9]+)?])?|local-cluster\\[[0-9]+, *[0-9]+, *[0-9]+]");
    private static final Pattern HOST_PORT =
            Pattern.compile("(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9._-]+):([0-9]{1,5})");

    private SparkMaster() {}

    /** Why {@code master} is not a Spark master URL, or null when it has a valid form. */
    public static String formatProblem(String master) {
        String m = master.strip();
        if (LOCAL.matcher(m).matches()
                || m.equals("yarn")
                || (m.startsWith("k8s://") && m.length() > 6)) {
            return null;
        }
        if (m.startsWith("spark://")) {
            for (String hp : m.substring("spark://".length()).split(",")) {
                if (!HOST_PORT.matcher(hp).matches()) {
                    return "spark.master='" + master + "': '" + hp + "' is not host:port";
                }
            }
            return null;
        }
        return "spark.master='"
                + master
                + "' is not a Spark master URL; use local[*], local[N], spark://host:7077, yarn"
                + " or k8s://https://host:port";
    }

    /**
     * Fails with one line unless the master has a valid form and, for {@code spark://}, one of its
     * addresses accepts a connection within {@link #CONNECT_TIMEOUT_MS}. Other masters (local,
     * yarn, k8s) are not probed.
     */
    public static void requireReachable(String master) {
        String bad = formatProblem(master);
        if (bad != null) {
            throw new InputException(bad);
        }
        String m = master.strip();
        if (!m.startsWith("spark://")) {
            return;
        }
        List<String> why = new ArrayList<>();
        for (String hp : m.substring("spark://".length()).split(",")) {
            int colon = hp.lastIndexOf(':');
            String host = hp.substring(0, colon).replace("[", "").replace("]", "");
            int port = Integer.parseInt(hp.substring(colon + 1));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
                return;
            } catch (UnknownHostException e) {
                why.add(hp + ": unknown host");
            } catch (java.net.SocketTimeoutException e) {
                why.add(hp + ": no answer within " + CONNECT_TIMEOUT_MS / 1000 + " s");
            } catch (IOException e) {
                why.add(hp + ": " + e.getMessage());
            }
        }
        throw new InputException(
                "spark.master="
                        + master
                        + " cannot be reached ("
                        + String.join("; ", why)
                        + "); start the master or fix the URL (spark-submit --master wins over the YAML)");
    }
}
