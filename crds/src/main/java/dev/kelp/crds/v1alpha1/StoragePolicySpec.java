package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.kelp.crds.schema.LabelSelectorSchema;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

/** What a platform team declares for the pods that opt in. */
@ValidationRule(value = "!has(self.s3) || !has(self.s3.port) || (self.s3.port != (has(self.agent) && has(self.agent.port) ? self.agent.port : 8780) && self.s3.port != (has(self.agent) && has(self.agent.port) ? self.agent.port : 8780) + 1)",
    message = "s3.port must differ from agent.port and from agent.port + 1 (the agent's health port)")
public class StoragePolicySpec {

    @SchemaFrom(type = LabelSelectorSchema.class)
    @JsonPropertyDescription("Pods in this namespace whose labels match get the agent. A pod also opts in, whatever its labels, with the annotation kelp.dev/policy: <policy name>. Absent: annotated pods only; {} selects every pod in the namespace.")
    private LabelSelector podSelector;

    @Required
    @JsonPropertyDescription("The SeaweedFS S3 gateway the agents write to while it is healthy.")
    private SeaweedfsSpec seaweedfs;

    @Required
    @Size(min = 1, max = 64)
    @ValidationRule(value = "self.all(b, self.exists_one(c, c == b))", message = "buckets must not repeat a name")
    @JsonPropertyDescription("Buckets the apps may use, each 3-63 lowercase letters, digits, dots and hyphens. The first is the default for apps that name none.")
    private List<@Size(min = 3, max = 63) @Pattern(Constraints.BUCKET) String> buckets = new ArrayList<>();

    @JsonPropertyDescription("The PostgreSQL database for object metadata (names, versions, sizes, hashes), shared by all agents of the policy. Absent: each agent keeps metadata in a local journal, so a pod sees only the objects it wrote.")
    private MetadataSpec metadata;

    @JsonPropertyDescription("The Cassandra cluster for events (reads, writes, mode changes, sync, errors). Absent: events only go to the agent log. Cassandra being down never blocks a write: events spool locally and replay.")
    private EventsSpec events;

    @Default("{\"emptyDir\":{\"sizeLimit\":\"1Gi\"}}")
    @JsonPropertyDescription("The local volume an agent writes to while SeaweedFS is out of reach, with its sync queue: exactly one of emptyDir or pvc. Default: an emptyDir of 1Gi.")
    private FallbackSpec fallback;

    @JsonPropertyDescription("Limits on what the apps of this policy may store in total. Absent: no limit beyond the buckets'.")
    private QuotaSpec quota;

    @JsonPropertyDescription("Each agent's in-memory cache of hot metadata and small objects.")
    private CacheSpec cache;

    @JsonPropertyDescription("How the agents deduplicate stored content. Whole-object dedup is always on and has no switch: identical content is stored once per bucket, addressed by its SHA-256, and reclaimed when its last reference goes. blocks adds block-level dedup on SeaweedFS, so that large files that are similar but not identical share content-defined chunks. Absent: whole-object dedup only. An earlier v1alpha1 took a boolean here (dedup: true), which did nothing: remove it or write this object instead.")
    private DedupSpec dedup;

    @JsonPropertyDescription("Keep earlier versions of overwritten and deleted objects, for listing and rollback. Absent: an overwrite replaces the object for good.")
    private VersioningSpec versioning;

    @JsonPropertyDescription("Encrypt object content in the agent before it is stored anywhere. Absent: content is stored as the app sent it.")
    private EncryptionSpec encryption;

    @JsonPropertyDescription("Owners of the objects: credentials that name them, how they share the buckets, and what each may hold. Absent: one default owner, as with a single API token.")
    private AccessSpec access;

    @JsonPropertyDescription("Signed URLs that let a client read or write one object without credentials, until they expire. Absent: the agent issues none.")
    private SignedUrlsSpec signedUrls;

    @JsonPropertyDescription("How the agent drains its fallback queue to SeaweedFS once it is healthy again.")
    private SyncSpec sync;

    @JsonPropertyDescription("The agent's S3-compatible endpoint on loopback, so apps that already speak S3 (AWS SDKs, boto3, rclone) get Kelp by changing their endpoint URL. Absent: the agents serve only the native API. See docs/s3.md.")
    private S3EndpointSpec s3;

    @JsonPropertyDescription("The agent container injected into each selected pod.")
    private AgentSpec agent;

    @Default("Reject")
    @JsonPropertyDescription("What the injection webhook does with a selected pod when it cannot give it a working agent, e.g. because a Secret this policy names is missing. Reject refuses the pod with the reason; Admit starts it without the agent and records a Warning event.")
    private MissingPolicyAction missingPolicyAction;

    public LabelSelector getPodSelector() {
        return podSelector;
    }

    public void setPodSelector(LabelSelector podSelector) {
        this.podSelector = podSelector;
    }

    public SeaweedfsSpec getSeaweedfs() {
        return seaweedfs;
    }

    public void setSeaweedfs(SeaweedfsSpec seaweedfs) {
        this.seaweedfs = seaweedfs;
    }

    public List<String> getBuckets() {
        return buckets;
    }

    public void setBuckets(List<String> buckets) {
        this.buckets = buckets;
    }

    public MetadataSpec getMetadata() {
        return metadata;
    }

    public void setMetadata(MetadataSpec metadata) {
        this.metadata = metadata;
    }

    public EventsSpec getEvents() {
        return events;
    }

    public void setEvents(EventsSpec events) {
        this.events = events;
    }

    public FallbackSpec getFallback() {
        return fallback;
    }

    public void setFallback(FallbackSpec fallback) {
        this.fallback = fallback;
    }

    public QuotaSpec getQuota() {
        return quota;
    }

    public void setQuota(QuotaSpec quota) {
        this.quota = quota;
    }

    public CacheSpec getCache() {
        return cache;
    }

    public void setCache(CacheSpec cache) {
        this.cache = cache;
    }

    public DedupSpec getDedup() {
        return dedup;
    }

    public void setDedup(DedupSpec dedup) {
        this.dedup = dedup;
    }

    public VersioningSpec getVersioning() {
        return versioning;
    }

    public void setVersioning(VersioningSpec versioning) {
        this.versioning = versioning;
    }

    public AccessSpec getAccess() {
        return access;
    }

    public void setAccess(AccessSpec access) {
        this.access = access;
    }

    public EncryptionSpec getEncryption() {
        return encryption;
    }

    public void setEncryption(EncryptionSpec encryption) {
        this.encryption = encryption;
    }

    public SignedUrlsSpec getSignedUrls() {
        return signedUrls;
    }

    public void setSignedUrls(SignedUrlsSpec signedUrls) {
        this.signedUrls = signedUrls;
    }

    public S3EndpointSpec getS3() {
        return s3;
    }

    public void setS3(S3EndpointSpec s3) {
        this.s3 = s3;
    }

    public SyncSpec getSync() {
        return sync;
    }

    public void setSync(SyncSpec sync) {
        this.sync = sync;
    }

    public AgentSpec getAgent() {
        return agent;
    }

    public void setAgent(AgentSpec agent) {
        this.agent = agent;
    }

    public MissingPolicyAction getMissingPolicyAction() {
        return missingPolicyAction;
    }

    public void setMissingPolicyAction(MissingPolicyAction missingPolicyAction) {
        this.missingPolicyAction = missingPolicyAction;
    }
}
