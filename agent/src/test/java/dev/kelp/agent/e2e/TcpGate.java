package dev.kelp.agent.e2e;

import dev.kelp.testkit.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP forwarder in front of a real service that a test can shut and open: shut,
 * connections are refused and the open ones cut, the way a network partition looks to the
 * agent, while the service itself (shared by the whole suite) keeps running.
 */
final class TcpGate implements AutoCloseable {

    private final InetSocketAddress target;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;

    TcpGate(String targetHost, int targetPort) {
        this.target = new InetSocketAddress(targetHost, targetPort);
        this.port = FreePorts.take();
    }

    int port() {
        return port;
    }

    synchronized void open() {
        if (listener != null) {
            return;
        }
        try {
            var server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            listener = server;
            Thread.ofVirtual().name("tcp-gate-accept").start(() -> accept(server));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized void shut() {
        if (listener == null) {
            return;
        }
        closeQuietly(listener);
        listener = null;
        open.forEach(TcpGate::closeQuietly);
        open.clear();
    }

    /** Cuts every connection open now, as a restarting proxy would; new ones still get through. */
    void cut() {
        open.forEach(TcpGate::closeQuietly);
        open.clear();
    }

    @Override
    public void close() {
        shut();
    }

    private void accept(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                open.add(client);
                open.add(upstream);
                Thread.ofVirtual().start(() -> pipe(client, upstream));
                Thread.ofVirtual().start(() -> pipe(upstream, client));
            } catch (IOException closedOrRefused) {
                // shut while accepting, or the target is down: the caller sees a reset
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
            }
        } catch (IOException cut) {
            // one side closed or the gate shut
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing is best effort
        }
    }
}
