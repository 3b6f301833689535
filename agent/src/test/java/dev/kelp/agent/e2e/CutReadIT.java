package dev.kelp.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.mode.Mode;
import dev.kelp.testkit.ProvingGround;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection between the agent and SeaweedFS is cut while a GET streams an object that
 * only SeaweedFS holds: the agent picks the read up where it stopped and the client gets every
 * byte, plain and encrypted, without noticing.
 */
class CutReadIT {

    private static final int SIZE = 48 << 20;

    @TempDir
    Path work;

    private final String bucket = "cut-" + Long.toString(System.nanoTime(), 36);
    private TcpGate gate;
    private EncryptedAgent agent;

    @BeforeEach
    void gate() {
        URI endpoint = URI.create(ProvingGround.require("KELP_S3_ENDPOINT"));
        gate = new TcpGate(endpoint.getHost(), endpoint.getPort());
        gate.open();
    }

    @AfterEach
    void close() {
        if (agent != null) {
            agent.close();
        }
        gate.close();
    }

    @Test
    void aPlainReadCutMidBodyGoesOnWhereItStopped() throws Exception {
        agent = new EncryptedAgent(work.resolve("fallback"), bucket, gate, null, Map.of());
        readWhileCut();
    }

    @Test
    void anEncryptedReadCutMidBodyGoesOnWhereItStopped() throws Exception {
        Path keys = work.resolve("keys");
        EncryptedAgent.mountSecret(keys, EncryptedAgent.newKey(301));
        agent = new EncryptedAgent(work.resolve("fallback"), bucket, gate, keys, Map.of());
        readWhileCut();
    }

    private void readWhileCut() throws Exception {
        agent.awaitMode(Mode.FULL);
        byte[] content = new byte[SIZE];
        new Random(SIZE).nextBytes(content);
        assertThat(agent.put("big", content).statusCode()).isEqualTo(201);
        agent.awaitDrained();

        HttpResponse<InputStream> get = EncryptedAgent.HTTP.send(HttpRequest.newBuilder(agent.uri("big")).GET().build(),
            HttpResponse.BodyHandlers.ofInputStream());
        assertThat(get.statusCode()).isEqualTo(200);
        byte[] got;
        try (InputStream body = get.body()) {
            byte[] head = body.readNBytes(2 << 20);
            gate.cut();   // the agent is still reading the rest from SeaweedFS: back-pressure holds it behind us
            byte[] rest = body.readAllBytes();
            got = new byte[head.length + rest.length];
            System.arraycopy(head, 0, got, 0, head.length);
            System.arraycopy(rest, 0, got, head.length, rest.length);
        }
        assertThat(got.length).isEqualTo(SIZE);
        assertThat(got).as("the bytes read across the cut").isEqualTo(content);
        assertThat(agent.server.getApplicationContext().getBean(MeterRegistry.class).counter("kelp.seaweedfs.reads.resumed").count())
            .as("reads picked up again after the cut").isGreaterThanOrEqualTo(1);
        assertThat(agent.mode()).isEqualTo(Mode.FULL);
    }
}
