package dev.kelp.agent.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.testkit.ProvingGround;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Debian's own S3 clients (awscli, python3-boto3, rclone, s3cmd; installed by
 * scripts/proving-ground/s3-clients.sh) and curl with presigned URLs, each pointed at the
 * packaged agent's S3 endpoint by its URL alone, against the real proving ground. Trees go up
 * and come back byte for byte.
 */
class S3DebianClientsIT {

    private static final String BUCKET = "s3cli-" + Long.toString(System.currentTimeMillis(), 36);
    private static S3AgentProcess agent;
    private static Path work;
    private static Path tree;

    @BeforeAll
    static void start() throws Exception {
        var missing = run(List.of("bash", ProvingGround.repoRoot().resolve("scripts/proving-ground/s3-clients.sh").toString(), "check"),
            Map.of(), Path.of("."), false);
        assertThat(missing.exit()).as("the Debian S3 clients are missing: run scripts/proving-ground/s3-clients.sh install").isZero();
        work = Files.createTempDirectory("kelp-s3-clients-it");
        agent = S3AgentProcess.start(work.resolve("agent"), List.of(BUCKET), Map.of());
        tree = work.resolve("tree");
        writeTree(tree);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (agent != null) {
            agent.close();
        }
    }

    /** Small and empty files, nested directories, names with spaces, and one file big enough for multipart. */
    private static void writeTree(Path root) throws IOException {
        var random = new Random(42);
        Files.createDirectories(root.resolve("docs/nested deeper"));
        Files.createDirectories(root.resolve("img"));
        Files.writeString(root.resolve("readme.txt"), "a tree for the S3 clients\n");
        Files.write(root.resolve("empty.bin"), new byte[0]);
        Files.writeString(root.resolve("docs/a file with spaces.md"), "# spaces\n");
        Files.writeString(root.resolve("docs/nested deeper/plus+and&amp.txt"), "odd characters\n");
        for (int i = 0; i < 30; i++) {
            byte[] data = new byte[random.nextInt(64 * 1024)];
            random.nextBytes(data);
            Files.write(root.resolve("img/pic-%02d.jpg".formatted(i)), data);
        }
        byte[] big = new byte[18 * 1024 * 1024];
        random.nextBytes(big);
        Files.write(root.resolve("big.bin"), big);
    }

    private static Map<String, String> awsEnv() {
        return Map.of("AWS_ACCESS_KEY_ID", S3AgentProcess.ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY", S3AgentProcess.SECRET,
            "AWS_DEFAULT_REGION", "us-east-1", "AWS_CONFIG_FILE", "/dev/null", "AWS_SHARED_CREDENTIALS_FILE", "/dev/null",
            "HOME", work.toString(), "AWS_PAGER", "");
    }

    private static List<String> aws(String... args) {
        var command = new ArrayList<>(List.of("/usr/bin/aws", "--endpoint-url", agent.endpoint()));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void awsCliCopiesSyncsListsAndPresigns() throws Exception {
        Path back = work.resolve("aws-back");
        ok(aws("s3", "cp", tree.resolve("readme.txt").toString(), "s3://" + BUCKET + "/aws/readme.txt"), awsEnv());
        // 18 MiB: the CLI uploads it in parts.
        ok(aws("s3", "cp", tree.resolve("big.bin").toString(), "s3://" + BUCKET + "/aws/big.bin"), awsEnv());
        ok(aws("s3", "cp", "s3://" + BUCKET + "/aws/big.bin", work.resolve("big.back").toString()), awsEnv());
        assertThat(Files.mismatch(tree.resolve("big.bin"), work.resolve("big.back"))).isEqualTo(-1);

        ok(aws("s3", "sync", tree.toString(), "s3://" + BUCKET + "/aws/tree/"), awsEnv());
        ok(aws("s3", "sync", "s3://" + BUCKET + "/aws/tree/", back.toString()), awsEnv());
        assertSameTree(tree, back);
        // A second sync has nothing to do.
        assertThat(ok(aws("s3", "sync", tree.toString(), "s3://" + BUCKET + "/aws/tree/"), awsEnv())).isBlank();

        String listing = ok(aws("s3", "ls", "s3://" + BUCKET + "/aws/"), awsEnv());
        assertThat(listing).contains("PRE tree/").contains("readme.txt").contains("big.bin");
        String recursive = ok(aws("s3", "ls", "--recursive", "s3://" + BUCKET + "/aws/tree/"), awsEnv());
        assertThat(recursive.lines()).hasSize(fileCount(tree));

        String head = ok(aws("s3api", "head-object", "--bucket", BUCKET, "--key", "aws/readme.txt"), awsEnv());
        assertThat(head).contains("\"ContentLength\": " + Files.size(tree.resolve("readme.txt")))
            .contains(S3SdkIT.md5Hex(Files.readAllBytes(tree.resolve("readme.txt"))));
        String delimited = ok(aws("s3api", "list-objects-v2", "--bucket", BUCKET, "--prefix", "aws/tree/", "--delimiter", "/"), awsEnv());
        assertThat(delimited).contains("\"Prefix\": \"aws/tree/docs/\"").contains("\"Prefix\": \"aws/tree/img/\"")
            .contains("\"Key\": \"aws/tree/readme.txt\"").doesNotContain("pic-01");
        var missing = run(aws("s3api", "head-object", "--bucket", BUCKET, "--key", "aws/none"), awsEnv(), work, false);
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("404");

        String url = ok(aws("s3", "presign", "s3://" + BUCKET + "/aws/readme.txt", "--expires-in", "300"), awsEnv()).strip();
        ok(List.of("curl", "-sSf", "-o", work.resolve("presigned.txt").toString(), url), Map.of());
        assertThat(Files.mismatch(tree.resolve("readme.txt"), work.resolve("presigned.txt"))).isEqualTo(-1);

        ok(aws("s3", "rm", "s3://" + BUCKET + "/aws/readme.txt"), awsEnv());
        assertThat(ok(aws("s3", "ls", "s3://" + BUCKET + "/aws/"), awsEnv())).doesNotContain("readme.txt");
    }

    /**
     * A 100 MiB file in parts by the CLI (8 MiB, its default) and by rclone (16 MiB) with
     * rclone's multipart ETag check on: both see S3's multipart ETag, the MD5 of their parts'
     * MD5s and the part count, worked out here from the file as each client cut it; rclone
     * compares it itself after the upload and fails the copy if it differs.
     */
    @Test
    void hundredMebibyteMultipartObjectsHaveTheETagsS3ClientsCompute() throws Exception {
        Path file = work.resolve("hundred.bin");
        var random = new Random(100);
        try (var out = Files.newOutputStream(file)) {
            byte[] chunk = new byte[1024 * 1024];
            for (int i = 0; i < 100; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        String awsETag = multipartETag(file, 8 * 1024 * 1024);
        assertThat(awsETag).endsWith("-13");
        ok(aws("s3", "cp", file.toString(), "s3://" + BUCKET + "/etag/aws.bin"), awsEnv());
        String head = ok(aws("s3api", "head-object", "--bucket", BUCKET, "--key", "etag/aws.bin"), awsEnv());
        assertThat(head).contains("\"ETag\": \"\\\"" + awsETag + "\\\"\"").contains("\"ContentLength\": " + 100 * 1024 * 1024);
        assertThat(ok(aws("s3api", "list-objects-v2", "--bucket", BUCKET, "--prefix", "etag/aws.bin"), awsEnv())).contains(awsETag);
        // A client may make its read conditional on the ETag it saw.
        ok(aws("s3api", "get-object", "--bucket", BUCKET, "--key", "etag/aws.bin", "--if-match", "\"" + awsETag + "\"",
            work.resolve("hundred.aws.back").toString()), awsEnv());
        assertThat(Files.mismatch(file, work.resolve("hundred.aws.back"))).isEqualTo(-1);
        ok(aws("s3", "cp", "s3://" + BUCKET + "/etag/aws.bin", work.resolve("hundred.cp.back").toString()), awsEnv());
        assertThat(Files.mismatch(file, work.resolve("hundred.cp.back"))).isEqualTo(-1);

        Map<String, String> env = rcloneEnv();
        Path dir = work.resolve("rclone-hundred");
        Files.createDirectories(dir);
        Files.move(file, dir.resolve("hundred.bin"));
        String copied = run(List.of("rclone", "copy", "-vv", "--s3-use-multipart-etag=true", "--s3-upload-cutoff", "5M",
            "--s3-chunk-size", "16M", dir.toString(), "kelp:" + BUCKET + "/etag/rclone"), env, work, true).err();
        String rcloneETag = multipartETag(dir.resolve("hundred.bin"), 16 * 1024 * 1024);
        assertThat(copied).contains("Multipart upload Etag: " + rcloneETag + " OK");
        ok(List.of("rclone", "check", dir.toString(), "kelp:" + BUCKET + "/etag/rclone"), env);
        ok(List.of("rclone", "check", "--download", dir.toString(), "kelp:" + BUCKET + "/etag/rclone"), env);
        assertThat(ok(aws("s3api", "head-object", "--bucket", BUCKET, "--key", "etag/rclone/hundred.bin"), awsEnv())).contains(rcloneETag);
        for (Path p : List.of(dir.resolve("hundred.bin"), work.resolve("hundred.aws.back"), work.resolve("hundred.cp.back"))) {
            Files.deleteIfExists(p);
        }
    }

    /** S3's ETag of {@code file} uploaded in parts of {@code partSize}: md5(md5(part 1) ... md5(part n))-n. */
    private static String multipartETag(Path file, int partSize) throws Exception {
        var ofParts = java.security.MessageDigest.getInstance("MD5");
        int parts = 0;
        try (var in = Files.newInputStream(file)) {
            byte[] part;
            while ((part = in.readNBytes(partSize)).length > 0) {
                ofParts.update(java.security.MessageDigest.getInstance("MD5").digest(part));
                parts++;
            }
        }
        return java.util.HexFormat.of().formatHex(ofParts.digest()) + "-" + parts;
    }

    @Test
    void boto3Script() throws Exception {
        Path script = work.resolve("boto3_check.py");
        Files.writeString(script, """
            import hashlib, sys
            import boto3
            from boto3.s3.transfer import TransferConfig
            from botocore.config import Config
            endpoint, bucket, key_id, secret, big, out = sys.argv[1:7]
            s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key_id, aws_secret_access_key=secret,
                              region_name="us-east-1", config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
            s3.put_object(Bucket=bucket, Key="boto3/hello.txt", Body=b"hello boto3", ContentType="text/plain",
                          Metadata={"colour": "teal"})
            got = s3.get_object(Bucket=bucket, Key="boto3/hello.txt")
            assert got["Body"].read() == b"hello boto3"
            assert got["Metadata"] == {"colour": "teal"}, got["Metadata"]
            assert got["ETag"] == '"%s"' % hashlib.md5(b"hello boto3").hexdigest(), got["ETag"]
            s3.put_object(Bucket=bucket, Key="boto3/empty", Body=b"")
            assert s3.get_object(Bucket=bucket, Key="boto3/empty")["Body"].read() == b""
            for i in range(25):
                s3.put_object(Bucket=bucket, Key="boto3/many/%02d/item" % (i % 5) + str(i), Body=str(i).encode())
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="boto3/many/", Delimiter="/", PaginationConfig={"PageSize": 2})
            prefixes = [p["Prefix"] for page in pages for p in page.get("CommonPrefixes", [])]
            assert prefixes == ["boto3/many/%02d/" % i for i in range(5)], prefixes
            every = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="boto3/many/",
                     PaginationConfig={"PageSize": 4}) for o in page.get("Contents", [])]
            assert len(every) == 25 and every == sorted(every), every
            config = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
            s3.upload_file(big, bucket, "boto3/big.bin", Config=config)
            s3.download_file(bucket, "boto3/big.bin", out, Config=config)
            digest = lambda path: hashlib.sha256(open(path, "rb").read()).hexdigest()
            assert digest(big) == digest(out)
            deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "boto3/many/00/item0"}, {"Key": "boto3/many/01/item1"}]})
            assert sorted(d["Key"] for d in deleted["Deleted"]) == ["boto3/many/00/item0", "boto3/many/01/item1"]
            try:
                s3.get_object(Bucket=bucket, Key="boto3/many/00/item0")
                raise SystemExit("deleted object still there")
            except s3.exceptions.NoSuchKey:
                pass
            url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "boto3/hello.txt"}, ExpiresIn=60)
            print(url)
            """);
        String url = ok(List.of("/usr/bin/python3", script.toString(), agent.endpoint(), BUCKET, S3AgentProcess.ACCESS_KEY_ID,
            S3AgentProcess.SECRET, tree.resolve("big.bin").toString(), work.resolve("boto3-big.back").toString()), Map.of("HOME", work.toString())).strip();
        assertThat(ok(List.of("curl", "-sSf", url), Map.of())).isEqualTo("hello boto3");
    }

    private static Map<String, String> rcloneEnv() {
        Map<String, String> env = new HashMap<>(Map.of("RCLONE_CONFIG_KELP_TYPE", "s3", "RCLONE_CONFIG_KELP_PROVIDER", "Other",
            "RCLONE_CONFIG_KELP_ACCESS_KEY_ID", S3AgentProcess.ACCESS_KEY_ID, "RCLONE_CONFIG_KELP_SECRET_ACCESS_KEY", S3AgentProcess.SECRET,
            "RCLONE_CONFIG_KELP_ENDPOINT", agent.endpoint(), "RCLONE_CONFIG_KELP_REGION", "us-east-1", "HOME", work.toString()));
        env.put("RCLONE_CONFIG", work.resolve("rclone.conf").toString());
        return env;
    }

    @Test
    void rcloneSyncsATreeUpAndBackAndChecksIt() throws Exception {
        Map<String, String> env = rcloneEnv();
        String remote = "kelp:" + BUCKET + "/rclone/tree";
        Path back = work.resolve("rclone-back");
        // A small cutoff so that big.bin goes up in parts too.
        // rclone's own check of the multipart ETag is on: big.bin goes up in parts and is verified.
        ok(List.of("rclone", "sync", "--s3-use-multipart-etag=true", "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M", tree.toString(),
            remote), env);
        ok(List.of("rclone", "check", tree.toString(), remote), env);
        ok(List.of("rclone", "sync", remote, back.toString()), env);
        assertSameTree(tree, back);
        ok(List.of("rclone", "check", "--download", tree.toString(), remote), env);
        // A changed file is found by check, and sync puts it right.
        Files.writeString(tree.resolve("docs/a file with spaces.md"), "# spaces, changed\n");
        assertThat(run(List.of("rclone", "check", tree.toString(), remote), env, work, false).exit()).isNotZero();
        ok(List.of("rclone", "sync", tree.toString(), remote), env);
        ok(List.of("rclone", "check", tree.toString(), remote), env);
        assertThat(ok(List.of("rclone", "lsf", "kelp:" + BUCKET + "/rclone/tree/docs"), env)).contains("a file with spaces.md").contains("nested deeper/");
    }

    @Test
    void s3cmdPutsGetsAndLists() throws Exception {
        Path config = work.resolve("s3cmd.cfg");
        String host = "127.0.0.1:" + agent.s3Port();
        Files.writeString(config, """
            [default]
            access_key = %s
            secret_key = %s
            host_base = %s
            host_bucket = %s
            use_https = False
            signature_v2 = False
            bucket_location = us-east-1
            """.formatted(S3AgentProcess.ACCESS_KEY_ID, S3AgentProcess.SECRET, host, host));
        Map<String, String> env = Map.of("HOME", work.toString());
        ok(List.of("s3cmd", "-c", config.toString(), "put", tree.resolve("readme.txt").toString(), "s3://" + BUCKET + "/s3cmd/readme.txt"), env);
        ok(List.of("s3cmd", "-c", config.toString(), "put", "--recursive", tree.resolve("img").toString() + "/", "s3://" + BUCKET + "/s3cmd/img/"), env);
        ok(List.of("s3cmd", "-c", config.toString(), "get", "--force", "s3://" + BUCKET + "/s3cmd/readme.txt", work.resolve("s3cmd.back").toString()), env);
        // 18 MiB: s3cmd sends it in 15 MiB parts and checks each part's ETag against its MD5.
        ok(List.of("s3cmd", "-c", config.toString(), "put", tree.resolve("big.bin").toString(), "s3://" + BUCKET + "/s3cmd/big.bin"), env);
        ok(List.of("s3cmd", "-c", config.toString(), "get", "--force", "s3://" + BUCKET + "/s3cmd/big.bin", work.resolve("s3cmd-big.back").toString()), env);
        assertThat(Files.mismatch(tree.resolve("big.bin"), work.resolve("s3cmd-big.back"))).isEqualTo(-1);
        assertThat(Files.mismatch(tree.resolve("readme.txt"), work.resolve("s3cmd.back"))).isEqualTo(-1);
        String listing = ok(List.of("s3cmd", "-c", config.toString(), "ls", "s3://" + BUCKET + "/s3cmd/"), env);
        assertThat(listing).contains("DIR").contains("s3://" + BUCKET + "/s3cmd/img/").contains("s3://" + BUCKET + "/s3cmd/readme.txt");
        String img = ok(List.of("s3cmd", "-c", config.toString(), "ls", "s3://" + BUCKET + "/s3cmd/img/"), env);
        assertThat(img.lines()).hasSize(30);
        ok(List.of("s3cmd", "-c", config.toString(), "del", "s3://" + BUCKET + "/s3cmd/readme.txt"), env);
        assertThat(ok(List.of("s3cmd", "-c", config.toString(), "ls", "s3://" + BUCKET + "/s3cmd/"), env)).doesNotContain("readme.txt");
    }

    @Test
    void curlWithPresignedPutAndGet() throws Exception {
        var presigner = agent.presigner();
        String key = "curl/presigned upload.bin";
        String put = presigner.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5))
            .putObjectRequest(o -> o.bucket(BUCKET).key(key))).url().toString();
        ok(List.of("curl", "-sSf", "-T", tree.resolve("img/pic-03.jpg").toString(), put), Map.of());
        String get = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
            .getObjectRequest(o -> o.bucket(BUCKET).key(key))).url().toString();
        ok(List.of("curl", "-sSf", "-o", work.resolve("curl.back").toString(), get), Map.of());
        assertThat(Files.mismatch(tree.resolve("img/pic-03.jpg"), work.resolve("curl.back"))).isEqualTo(-1);
        // The GET URL does not allow a PUT: the method is signed.
        var misuse = run(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", tree.resolve("readme.txt").toString(), get),
            Map.of(), work, false);
        assertThat(misuse.out()).isEqualTo("403");
        presigner.close();
    }

    // --- helpers ---

    private static int fileCount(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return (int) files.filter(Files::isRegularFile).count();
        }
    }

    private static void assertSameTree(Path expected, Path actual) throws IOException {
        assertThat(contents(actual)).isEqualTo(contents(expected));
    }

    private static Map<String, String> contents(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString(), dev.kelp.agent.object.ContentHash.ofBytes(Files.readAllBytes(p)).hex());
            }
        }
        return files;
    }

    record Result(int exit, String out, String err) {
    }

    private static String ok(List<String> command, Map<String, String> env) throws Exception {
        Result r = run(command, env, work, true);
        return r.out();
    }

    private static Result run(List<String> command, Map<String, String> env, Path dir, boolean mustSucceed) throws Exception {
        Path out = Files.createTempFile("kelp-s3-client", ".out");
        Path err = Files.createTempFile("kelp-s3-client", ".err");
        var builder = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        // Only what the test gives: an AWS_CA_BUNDLE or AWS_PROFILE of the machine must not steer the clients.
        builder.environment().keySet().removeIf(name -> name.startsWith("AWS_") || name.startsWith("RCLONE_"));
        builder.environment().putAll(env);
        Process p = builder.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 180 s");
        }
        var result = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        if (mustSucceed && result.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + result.exit() + "\nstdout: " + result.out()
                + "\nstderr: " + result.err() + "\nagent log:\n" + agent.logTail());
        }
        return result;
    }
}
