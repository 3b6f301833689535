package dev.kelp.agent.metadata;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the metadata lives. With no {@code url} the agent keeps it in an embedded H2 database on
 * the fallback volume, so it runs with no external service; with a PostgreSQL url it shares the
 * policy's database. application.yml feeds these properties to {@code datasources.default};
 * {@link EmbeddedMetadataDatabase} points it at the embedded database when there is no url.
 *
 * @param url           JDBC url of PostgreSQL; absent: embedded H2 at {@code <kelp.fallback.dir>/metadata/kelp}
 * @param username      database user (absent: H2's default user)
 * @param password      database password
 * @param probeInterval how often, while the database is unreachable, the agent checks whether it is back
 * @param lastKnownRecords how many object records the agent keeps in memory, as the database last
 *                      answered them, to serve reads while it is unreachable
 */
@ConfigurationProperties("kelp.metadata")
public record MetadataConfig(
    @Nullable @Pattern(regexp = "jdbc:.+", message = "kelp.metadata.url must be a JDBC url (jdbc:postgresql://host:port/db)") String url,
    @Nullable String username,
    @Nullable String password,
    @Bindable(defaultValue = "500ms") @NotNull Duration probeInterval,
    @Bindable(defaultValue = "100000") @jakarta.validation.constraints.Min(0) long lastKnownRecords) {

    public MetadataConfig {
        if (url != null && url.isBlank()) {
            url = null;
        }
        if (probeInterval != null && (probeInterval.isZero() || probeInterval.isNegative())) {
            throw new IllegalArgumentException("kelp.metadata.probe-interval must be positive, was " + probeInterval);
        }
    }

    /** True when no url is configured: metadata goes to the embedded H2 database. */
    public boolean embedded() {
        return url == null;
    }

    /**
     * The JDBC url of the embedded database under {@code fallbackDir}. Absolute, because H2 refuses
     * a path relative to the working directory; in PostgreSQL mode with lower-case names, so the
     * same SQL runs on it as on PostgreSQL.
     */
    public static String embeddedUrl(Path fallbackDir) {
        return "jdbc:h2:file:" + fallbackDir.toAbsolutePath().normalize().resolve("metadata").resolve("kelp")
            + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;LOCK_TIMEOUT=10000";
    }

    /** For logs: the url without anything a user could have put in it after '?' (such as a password). */
    public String describe() {
        return embedded() ? "embedded H2 under kelp.fallback.dir" : url.replaceAll("\\?.*$", "");
    }

    @Override
    public String toString() {
        return "MetadataConfig[url=" + describe() + ", username=" + username + ", probeInterval=" + probeInterval + "]";
    }
}
