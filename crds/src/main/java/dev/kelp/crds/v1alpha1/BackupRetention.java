package dev.kelp.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Which backups are kept: a backup stays while any rule that is set keeps it. */
public class BackupRetention {

    @Min(0)
    @JsonPropertyDescription("Keep the newest N backups.")
    private Integer keepLast;

    @Size(max = 32)
    @Pattern(Constraints.DURATION)
    @ValidationRule(value = Constraints.DURATION_RULE, message = "keepFor " + Constraints.DURATION_MESSAGE)
    @JsonPropertyDescription("Keep every backup younger than this, as a Go duration such as 720h (30 days). Units h, m, s, ms; no days.")
    private String keepFor;

    @Min(0)
    @JsonPropertyDescription("Keep the newest backup of each of the last N days.")
    private Integer daily;

    @Min(0)
    @JsonPropertyDescription("Keep the newest backup of each of the last N weeks.")
    private Integer weekly;

    @Min(0)
    @JsonPropertyDescription("Keep the newest backup of each of the last N months.")
    private Integer monthly;

    public Integer getKeepLast() {
        return keepLast;
    }

    public void setKeepLast(Integer keepLast) {
        this.keepLast = keepLast;
    }

    public String getKeepFor() {
        return keepFor;
    }

    public void setKeepFor(String keepFor) {
        this.keepFor = keepFor;
    }

    public Integer getDaily() {
        return daily;
    }

    public void setDaily(Integer daily) {
        this.daily = daily;
    }

    public Integer getWeekly() {
        return weekly;
    }

    public void setWeekly(Integer weekly) {
        this.weekly = weekly;
    }

    public Integer getMonthly() {
        return monthly;
    }

    public void setMonthly(Integer monthly) {
        this.monthly = monthly;
    }
}
