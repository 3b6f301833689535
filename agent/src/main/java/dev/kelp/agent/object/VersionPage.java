package dev.kelp.agent.object;

import dev.kelp.agent.metadata.MetadataStore.VersionCursor;
import java.util.List;

/** A page of versions; {@code next} is where the next page starts, null on the last page. */
public record VersionPage(List<ObjectVersion> versions, VersionCursor next) {
}
