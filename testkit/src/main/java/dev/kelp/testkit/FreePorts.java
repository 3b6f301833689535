package dev.kelp.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the processes and listeners a test starts.
 *
 * <p>Asking the kernel for port 0 and handing the number to a process loses a race: the
 * port comes from the ephemeral range (32768–60999 on Linux), the same range every
 * outgoing connection on the machine draws from, and in the seconds before the process
 * binds it a client socket of another test, the operator or a database driver can take it
 * ("Port already in use" — seen in a CI run). These ports come from just below that range
 * and above the proving ground's own (which end at 29333), where no outgoing connection is
 * ever placed; each is handed out once per JVM, and is free on every address when handed out.
 */
public final class FreePorts {

    static final int LOWEST = 30_000;
    static final int HIGHEST = 32_767;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A port nothing listens on now, for a listener a test is about to start (or to stand for a closed one). */
    public static int take() {
        return takeRun(1);
    }

    /** A port whose successor is free too, for a process that listens on port and port + 1. */
    public static int takePair() {
        return takeRun(2);
    }

    private static int takeRun(int length) {
        for (int attempt = 0; attempt < 500; attempt++) {
            int first = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST - length + 2);
            if (claim(first, length)) {
                return first;
            }
        }
        throw new IllegalStateException("no " + length + " free adjacent ports between " + LOWEST + " and " + HIGHEST);
    }

    private static boolean claim(int first, int length) {
        for (int port = first; port < first + length; port++) {
            if (HANDED_OUT.contains(port) || !bindable(port)) {
                return false;
            }
        }
        for (int port = first; port < first + length; port++) {
            if (!HANDED_OUT.add(port)) {
                return false;
            }
        }
        return true;
    }

    static boolean bindable(int port) {
        try (var socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
