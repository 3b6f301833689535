package dev.kelp.bench;

import java.nio.file.Path;

/**
 * The two sides of a cell harness's comparison, set up: a fresh bucket on SeaweedFS direct, and
 * the agent under test (its own fresh bucket, {@code yaml} added to its configuration) started
 * from {@code jar}. Closing it stops the agent and closes the clients.
 */
final class TwoSides implements AutoCloseable {

    private final DirectClients clients;
    private final AgentUnderTest agent;
    private final Target direct;
    private final Target viaAgent;

    private TwoSides(DirectClients clients, AgentUnderTest agent, Target direct, Target viaAgent) {
        this.clients = clients;
        this.agent = agent;
        this.direct = direct;
        this.viaAgent = viaAgent;
    }

    /** @param name what the buckets are named after ({@code <name>-direct-<stamp>}, {@code <name>-agent-<stamp>}) */
    static TwoSides start(String name, Path jar, Path work, int port, String yaml) throws Exception {
        String stamp = Long.toString(System.currentTimeMillis(), 36);
        String directBucket = name + "-direct-" + stamp;
        String agentBucket = name + "-agent-" + stamp;
        var clients = DirectClients.fromEnvironment();
        try {
            clients.s3().createBucket(b -> b.bucket(directBucket));
            Path config = AgentVsSeaweedFs.writeConfig(work, agentBucket, port, yaml);
            var agent = new AgentUnderTest(jar, config, port, work.resolve("agent.log"));
            return new TwoSides(clients, agent, new SeaweedFsTarget(clients.http(), clients.presigner(), directBucket),
                new AgentTarget(clients.http(), agent.base, agentBucket));
        } catch (Exception e) {
            clients.close();
            throw e;
        }
    }

    Target direct() {
        return direct;
    }

    Target viaAgent() {
        return viaAgent;
    }

    AgentUnderTest agent() {
        return agent;
    }

    @Override
    public void close() throws Exception {
        try {
            agent.close();
        } finally {
            clients.close();
        }
    }
}
