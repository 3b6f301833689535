package dev.kelp.agent.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Who this agent is, for records that many agents write to one place (events in Cassandra).
 * In a pod the hostname is the pod name, which is what a person looks for; the operator may
 * set {@code kelp.agent.id} explicitly.
 *
 * @param id this agent's name; blank or absent: the hostname
 */
@ConfigurationProperties("kelp.agent")
public record AgentIdentity(@Nullable String id) {

    public AgentIdentity {
        if (id == null || id.isBlank()) {
            id = hostname();
        }
    }

    private static String hostname() {
        // HOSTNAME is the pod name in Kubernetes and costs no lookup; the resolver is the fallback.
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-agent";
        }
    }
}
