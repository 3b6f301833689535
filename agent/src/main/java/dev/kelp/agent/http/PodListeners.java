package dev.kelp.agent.http;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.netty.configuration.NettyHttpServerConfiguration;
import io.micronaut.http.server.netty.configuration.NettyHttpServerConfiguration.NettyListenerConfiguration;
import io.micronaut.management.endpoint.EndpointDefaultConfiguration;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * In a pod, {@code kelp.agent.health-port} (env {@code KELP_AGENT_HEALTH_PORT}, which the
 * injected sidecar sets) splits the server in two listeners: the object API stays on
 * {@code micronaut.server.host:port} (loopback), and health and metrics move to the health
 * port on every interface, where kubelet probes and Prometheus reach the pod IP. Without the
 * property nothing changes: one listener serves everything, as on a laptop.
 */
final class PodListeners {

    static final String HEALTH_PORT = "kelp.agent.health-port";

    private PodListeners() {
    }

    @Singleton
    @Requires(property = HEALTH_PORT)
    static final class Server implements BeanCreatedEventListener<NettyHttpServerConfiguration> {

        private final int healthPort;

        Server(@Value("${" + HEALTH_PORT + "}") int healthPort) {
            this.healthPort = healthPort;
        }

        @Override
        public NettyHttpServerConfiguration onCreated(BeanCreatedEvent<NettyHttpServerConfiguration> event) {
            var config = event.getBean();
            if (config.getListeners() != null && !config.getListeners().isEmpty()) {
                // Listeners named in the configuration file win: the operator or a person chose them.
                return config;
            }
            var api = new NettyListenerConfiguration("api");
            api.setHost(config.getHost().orElse("127.0.0.1"));
            api.setPort(config.getPort().orElse(8780));
            var health = new NettyListenerConfiguration("health");
            health.setPort(healthPort);
            health.setExposeDefaultRoutes(false);
            // Probes keep answering through a graceful shutdown, so readiness can say DOWN.
            health.setSupportGracefulShutdown(false);
            config.setListeners(List.of(api, health));
            return config;
        }
    }

    @Singleton
    @Requires(property = HEALTH_PORT)
    static final class Endpoints implements BeanCreatedEventListener<EndpointDefaultConfiguration> {

        private final int healthPort;

        Endpoints(@Value("${" + HEALTH_PORT + "}") int healthPort) {
            this.healthPort = healthPort;
        }

        @Override
        public EndpointDefaultConfiguration onCreated(BeanCreatedEvent<EndpointDefaultConfiguration> event) {
            var config = event.getBean();
            if (config.getPort().isEmpty()) {
                config.setPort(healthPort);
            }
            return config;
        }
    }
}
