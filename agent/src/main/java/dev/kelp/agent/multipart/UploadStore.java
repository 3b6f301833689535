package dev.kelp.agent.multipart;

import dev.kelp.agent.blob.StagedBlob;
import dev.kelp.agent.fallback.DurableFiles;
import dev.kelp.agent.fallback.FallbackVolume;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open uploads as files on the fallback volume, so that they outlive the client and the agent:
 * {@code uploads/<uploadId>/manifest.json} and one {@code <nnnnn>-<sha256>.part} file per part.
 * The manifest is the truth: a part exists once the manifest that names it has been
 * atomically written, and an upload exists as long as its manifest does. Every other file in
 * an upload directory is the leftover of a write cut short, and {@link #loadAll} removes it.
 * Not thread-safe per upload: {@link MultipartService} serialises the changes to each one.
 */
@Singleton
public class UploadStore {

    private static final Logger LOG = LoggerFactory.getLogger(UploadStore.class);
    static final String MANIFEST = "manifest.json";
    private static final String CORRUPT_SUFFIX = ".corrupt";

    private final FallbackVolume volume;
    private final JsonMapper json;
    private final Path root;

    public UploadStore(FallbackVolume volume, JsonMapper json) {
        this.volume = volume;
        this.json = json;
        this.root = volume.uploadsDir();
        try {
            DurableFiles.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the uploads directory " + root, e);
        }
    }

    Path dirOf(String uploadId) {
        if (!UploadManifest.isUploadId(uploadId)) {
            throw new IllegalArgumentException("not an upload id: " + uploadId);
        }
        return root.resolve(uploadId);
    }

    /** The file holding {@code part} of {@code upload}; valid while the upload's lock is held. */
    public Path fileOf(UploadManifest upload, PartInfo part) {
        return dirOf(upload.uploadId()).resolve(part.fileName());
    }

    /** Makes a new upload durable: its directory, and its manifest without parts. */
    public void create(UploadManifest upload) {
        Path dir = dirOf(upload.uploadId());
        try {
            DurableFiles.createDirectories(dir);
            writeManifest(upload);
        } catch (IOException e) {
            deleteTree(dir);
            throw DurableFiles.writeFailure(e, "creating upload " + upload.uploadId());
        }
    }

    /**
     * Makes {@code staged} part {@code part} of {@code upload}: the file is fsync'd and renamed
     * into the upload's directory, then the manifest naming it is written atomically, and
     * only then is the part it replaces (if any) deleted. A crash at any point leaves the old
     * manifest with its old part, or the new one with the new part, never a torn part.
     *
     * @return the manifest now on disk
     */
    public UploadManifest addPart(UploadManifest upload, StagedBlob staged, PartInfo part) {
        var replaced = upload.part(part.partNumber());
        if (replaced.isPresent() && replaced.get().equals(part)) {
            // The same bytes again under the same number: nothing on disk changes.
            return upload;
        }
        Path target = fileOf(upload, part);
        try {
            staged.moveDurably(target);
        } catch (IOException e) {
            throw DurableFiles.writeFailure(e, "storing part " + part.partNumber() + " of upload " + upload.uploadId());
        }
        volume.stagingBecomesPart(part.size());
        UploadManifest next = upload.withPart(part);
        try {
            writeManifest(next);
        } catch (IOException e) {
            DurableFiles.deleteQuietly(target);
            volume.releasePart(part.size());
            throw DurableFiles.writeFailure(e, "recording part " + part.partNumber() + " of upload " + upload.uploadId());
        }
        replaced.ifPresent(old -> deletePart(upload, old));
        return next;
    }

    /** Forgets part {@code partNumber} (found damaged): the manifest first, then the file. */
    public UploadManifest dropPart(UploadManifest upload, int partNumber) {
        var part = upload.part(partNumber);
        if (part.isEmpty()) {
            return upload;
        }
        UploadManifest next = upload.withParts(upload.parts().stream().filter(p -> p.partNumber() != partNumber).toList());
        try {
            writeManifest(next);
        } catch (IOException e) {
            throw DurableFiles.writeFailure(e, "dropping part " + partNumber + " of upload " + upload.uploadId());
        }
        deletePart(upload, part.get());
        return next;
    }

    /**
     * Removes an upload: the manifest first (durably), so that from then on the upload does
     * not exist even if the agent stops before its parts are gone; then its parts and directory.
     */
    public void delete(UploadManifest upload) {
        Path dir = dirOf(upload.uploadId());
        try {
            Files.deleteIfExists(dir.resolve(MANIFEST));
            DurableFiles.forceDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the manifest of upload " + upload.uploadId(), e);
        }
        for (PartInfo part : upload.parts()) {
            deletePart(upload, part);
        }
        deleteTree(dir);
    }

    /**
     * Reads every open upload back after a start, and counts their parts against the volume.
     * Leftovers go: directories without a manifest (an initiate or an abort cut short), part
     * files no manifest names (a part upload cut short, or a replaced part not yet deleted),
     * temp files. A part the manifest names whose file is missing or of the wrong size is
     * dropped from the manifest, so the client sees it missing and uploads it again. An
     * unreadable manifest is set aside, with its directory, for a person to look at.
     */
    public List<UploadManifest> loadAll() {
        List<UploadManifest> uploads = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!Files.isDirectory(dir) || !UploadManifest.isUploadId(name)) {
                    if (!name.endsWith(CORRUPT_SUFFIX)) {
                        LOG.warn("Ignoring {} in the uploads directory: not an upload", dir);
                    }
                    continue;
                }
                load(dir).ifPresent(uploads::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the uploads directory " + root, e);
        }
        return uploads;
    }

    private Optional<UploadManifest> load(Path dir) throws IOException {
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            deleteTree(dir);
            return Optional.empty();
        }
        UploadManifest upload;
        try {
            upload = json.readValue(Files.readAllBytes(manifestFile), UploadManifest.class);
            if (upload == null || !upload.uploadId().equals(dir.getFileName().toString())) {
                throw new IllegalArgumentException("the manifest does not describe upload " + dir.getFileName());
            }
        } catch (IOException | RuntimeException e) {
            Path aside = dir.resolveSibling(dir.getFileName() + CORRUPT_SUFFIX);
            Files.move(dir, aside);
            LOG.error("Upload manifest {} is unreadable ({}); moved aside to {} for a person to look at", manifestFile, e.getMessage(), aside);
            return Optional.empty();
        }
        List<PartInfo> present = new ArrayList<>();
        Set<String> named = new HashSet<>();
        long bytes = 0;
        for (PartInfo part : upload.parts()) {
            Path file = dir.resolve(part.fileName());
            if (Files.isRegularFile(file) && Files.size(file) == part.size()) {
                present.add(part);
                named.add(part.fileName());
                bytes += part.size();
            } else {
                LOG.error("Part {} of upload {} is missing or truncated on disk; the client must upload it again",
                    part.partNumber(), upload.uploadId());
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (!name.equals(MANIFEST) && !named.contains(name)) {
                    Files.deleteIfExists(file);
                }
            }
        }
        if (present.size() != upload.parts().size()) {
            upload = upload.withParts(present);
            writeManifest(upload);
        }
        volume.partsFound(bytes);
        return Optional.of(upload);
    }

    private void writeManifest(UploadManifest upload) throws IOException {
        DurableFiles.writeAtomically(dirOf(upload.uploadId()).resolve(MANIFEST), json.writeValueAsBytes(upload));
    }

    private void deletePart(UploadManifest upload, PartInfo part) {
        try {
            if (Files.deleteIfExists(fileOf(upload, part))) {
                volume.releasePart(part.size());
            }
        } catch (IOException e) {
            // Still counted, and no manifest names it: the next start's load removes it.
            LOG.warn("Could not delete part {} of upload {}: {}", part.partNumber(), upload.uploadId(), e.toString());
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(DurableFiles::deleteQuietly);
        } catch (IOException ignored) {
            // Gone already, or unreadable: the next start tries again.
        }
        DurableFiles.deleteQuietly(dir);
    }
}
