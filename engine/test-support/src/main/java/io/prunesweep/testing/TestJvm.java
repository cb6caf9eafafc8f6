package io.prunesweep.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Paths;

/** Child JVMs and loopback ports for tests of both modules. */
public final class TestJvm {
    private TestJvm() {}

    /** A port free on 127.0.0.1 right now (closed again: connecting to it is refused). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    public static String javaBin() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }
}
