package dev.kelp.agent.metadata;

import io.micronaut.configuration.jdbc.hikari.DatasourceConfiguration;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Points the default data source at the embedded H2 database on the fallback volume when no
 * {@code kelp.metadata.url} is configured. Done here rather than as a placeholder default in
 * application.yml because Micronaut's placeholders do not nest: a default of
 * {@code jdbc:h2:file:${kelp.fallback.dir}/...} inside {@code ${kelp.metadata.url:...}} does
 * not resolve. Without this, Micronaut would fall back to an in-memory H2 database and lose the
 * metadata at every restart.
 */
@Singleton
class EmbeddedMetadataDatabase implements BeanCreatedEventListener<DatasourceConfiguration> {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMetadataDatabase.class);

    private final MetadataConfig config;
    private final Path fallbackDir;

    EmbeddedMetadataDatabase(MetadataConfig config, @Value("${kelp.fallback.dir:kelp-data}") Path fallbackDir) {
        this.config = config;
        this.fallbackDir = fallbackDir;
    }

    @Override
    public DatasourceConfiguration onCreated(BeanCreatedEvent<DatasourceConfiguration> event) {
        DatasourceConfiguration datasource = event.getBean();
        if ("default".equals(datasource.getName())) {
            if (config.embedded()) {
                String url = MetadataConfig.embeddedUrl(fallbackDir);
                datasource.setUrl(url);
                datasource.setDriverClassName("org.h2.Driver");
                if (datasource.getUsername() == null || datasource.getUsername().isBlank()) {
                    datasource.setUsername("sa");
                }
                LOG.info("metadata: embedded H2 database ({})", url);
            } else {
                LOG.info("metadata: {}", config.describe());
            }
        }
        return datasource;
    }
}
