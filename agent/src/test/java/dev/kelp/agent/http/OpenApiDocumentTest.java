package dev.kelp.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.context.ApplicationContext;
import io.micronaut.web.router.Router;
import io.micronaut.web.router.UriRouteInfo;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The OpenAPI document generated from the controllers documents every route the agent
 * serves under /v1, with the path and method it is served on: it is the API reference.
 */
class OpenApiDocumentTest {

    @TempDir
    Path dir;

    @Test
    void everyV1RouteIsInTheDocumentUnderItsOwnPath() throws Exception {
        Map<String, Map<String, Object>> paths = documentPaths();
        Set<String> served;
        try (var context = ApplicationContext.run(Map.of("kelp.fallback.dir", dir.toString(), "micronaut.server.port", -1))) {
            served = context.getBean(Router.class).uriRoutes()
                .map(route -> (UriRouteInfo<?, ?>) route)
                .filter(info -> info.getUriMatchTemplate().toString().startsWith("/v1/"))
                // Micronaut answers HEAD on every GET route by itself; the GET operation documents it.
                .filter(info -> info.getHttpMethod() != io.micronaut.http.HttpMethod.HEAD)
                .map(info -> info.getHttpMethod().name().toLowerCase(Locale.ROOT) + " " + openApiPath(info.getUriMatchTemplate().toString()))
                .collect(Collectors.toSet());
        }
        Set<String> documented = paths.entrySet().stream()
            .flatMap(path -> path.getValue().keySet().stream().map(method -> method + " " + path.getKey()))
            .collect(Collectors.toSet());

        assertThat(served).isNotEmpty();
        assertThat(documented).containsAll(served);
        assertThat(paths.get("/v1/objects/{bucket}/{key}")).containsOnlyKeys("get", "put", "delete");
        assertThat(paths.get("/v1/objects/{bucket}")).containsOnlyKeys("get");
    }

    @Test
    void listingParametersAreOptional() throws Exception {
        @SuppressWarnings("unchecked")
        var get = (Map<String, Object>) documentPaths().get("/v1/objects/{bucket}").get("get");
        @SuppressWarnings("unchecked")
        var parameters = (List<Map<String, Object>>) get.get("parameters");
        assertThat(parameters).filteredOn(p -> "query".equals(p.get("in")))
            .extracting(p -> p.get("name")).containsExactlyInAnyOrder("prefix", "cursor", "limit");
        assertThat(parameters).filteredOn(p -> "query".equals(p.get("in")))
            .allSatisfy(p -> assertThat(p.get("required")).isNotEqualTo(true));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> documentPaths() throws Exception {
        try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/META-INF/swagger/kelp-agent-api-v1.yml")) {
            assertThat(in).as("the generated OpenAPI document").isNotNull();
            Map<String, Object> doc = new Yaml().load(in);
            return (Map<String, Map<String, Object>>) doc.get("paths");
        }
    }

    /** /v1/objects/{bucket}/{key:.+} → /v1/objects/{bucket}/{key}: how OpenAPI spells a path. */
    private static String openApiPath(String template) {
        return template.replaceAll("\\{([+]?)([A-Za-z0-9_]+)(:[^}]*)?}", "{$2}").replaceAll("\\{\\?[^}]*}", "");
    }
}
