package dev.kelp.agent.object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StorageConfigTest {

    @Test
    void defaultsAllowAnyContentTypeInOneBucketUpTo5GB() {
        try (var ctx = ApplicationContext.run(Map.of("micronaut.server.port", -1))) {
            var config = ctx.getBean(StorageConfig.class);
            assertThat(config.buckets()).containsExactly("default");
            assertThat(config.maxObjectSize()).isEqualTo(5L * 1024 * 1024 * 1024);
            assertThat(config.allowsContentType("anything/at-all")).isTrue();
            assertThat(config.quotaMaxBytes()).isZero();
        }
    }

    @Test
    void bindsBucketsSizesAndTypesFromConfiguration() {
        try (var ctx = ApplicationContext.run(Map.of(
            "kelp.storage.buckets", List.of("templates", "backgrounds"),
            "kelp.storage.max-object-size", "10MB",
            "kelp.storage.allowed-content-types", List.of("image/*", "text/html"),
            "kelp.storage.quota-max-objects", 100))) {
            var config = ctx.getBean(StorageConfig.class);
            assertThat(config.buckets()).containsExactly("templates", "backgrounds");
            assertThat(config.maxObjectSize()).isEqualTo(10L * 1024 * 1024);
            assertThat(config.quotaMaxObjects()).isEqualTo(100);
        }
    }

    @Test
    void contentTypePatternsMatchIgnoringParametersAndCase() {
        var config = new StorageConfig(List.of("b12"), 1, List.of("image/*", "text/html"), 0, 0);
        assertThat(config.allowsContentType("image/png")).isTrue();
        assertThat(config.allowsContentType("TEXT/HTML; charset=utf-8")).isTrue();
        assertThat(config.allowsContentType("text/plain")).isFalse();
        assertThat(config.allowsContentType("imagex/png")).isFalse();
        assertThat(config.allowsContentType(null)).isFalse();
    }

    @Test
    void aBadBucketNameInConfigurationIsRefusedAtStartup() {
        assertThatThrownBy(() -> new StorageConfig(List.of("Bad_Bucket"), 1, List.of(), 0, 0))
            .isInstanceOf(InvalidKeyException.class);
    }
}
