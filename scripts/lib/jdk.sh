# Sourced by the project's scripts: selects a JDK 21+ for Maven and the agent. The machine's
# default java is 17, so we look under /usr/lib/jvm (Temurin first) unless JAVA_HOME already
# points at a new enough JDK.
java_feature() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }

select_jdk() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]] && (( $(java_feature "$JAVA_HOME") >= 21 )); then
    return 0
  fi
  local candidate
  for candidate in $(ls -d /usr/lib/jvm/temurin-*-jdk* /usr/lib/jvm/* 2>/dev/null | sort -u -V -r); do
    if [[ -x $candidate/bin/javac ]] && (( $(java_feature "$candidate") >= 21 )); then
      export JAVA_HOME=$candidate
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "No JDK 21 or newer found (looked at JAVA_HOME and /usr/lib/jvm). Install one, e.g. a Temurin JDK, and set JAVA_HOME." >&2
  return 1
}
select_jdk
