/**
 * What the drills write into JENKINS_HOME and how they read it back: 10 MiB of random data in
 * $JENKINS_HOME/drill/<id>.bin and its SHA-1 (the 2022 reference architecture's validation job), as freestyle
 * jobs pinned to the built-in node or, when the controller has no executors (the chart's default),
 * as script-console Groovy. Pure text builders and parsers.
 */

export const WRITE_JOB = "ha-drill-write";
export const VERIFY_JOB = "ha-drill-verify";
/** The 2022 reference architecture writes 10 MiB (dd bs=1M count=10). */
export const DRILL_FILE_MIB = 10;
/** Drill files older than this are deleted by the next write, so repeated drills do not fill JENKINS_HOME. */
export const DRILL_FILE_RETENTION_DAYS = 7;

const DRILL_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isDrillId(id: string): boolean {
    return DRILL_ID.test(id);
}

function assertDrillId(id: string): void {
    if (!isDrillId(id)) throw new Error(`Invalid drill id ${JSON.stringify(id)}: use 1–64 letters, digits, '-' or '_'.`);
}

/** e.g. failover-20260301t101500z-3fa2 (UTC; the suffix keeps two drills in one second apart). */
export function newDrillId(prefix: string, nowMs: number, random: () => number = Math.random): string {
    const stamp = new Date(nowMs)
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "z")
        .toLowerCase();
    const suffix = Math.floor(random() * 0x10000)
        .toString(16)
        .padStart(4, "0");
    const id = `${prefix}-${stamp}-${suffix}`;
    assertDrillId(id);
    return id;
}

function xmlEscape(s: string): string {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Rejects anything but a drill id before the file name is built (the parameter is user-controlled in the UI). */
const ID_GUARD = `case "$DRILL_ID" in ''|*[!A-Za-z0-9_-]*) echo "DRILL_ID must be letters, digits, - or _" >&2; exit 2;; esac`;

export const WRITE_SHELL = [
    ID_GUARD,
    'mkdir -p "$JENKINS_HOME/drill"',
    `find "$JENKINS_HOME/drill" -name '*.bin' -mtime +${DRILL_FILE_RETENTION_DAYS} -delete`,
    // conv=fsync: the data must be on the replicated volume before the drill kills the node.
    `dd if=/dev/urandom of="$JENKINS_HOME/drill/$DRILL_ID.bin" bs=1M count=${DRILL_FILE_MIB} conv=fsync`,
    'sha1sum "$JENKINS_HOME/drill/$DRILL_ID.bin"',
].join("\n");

export const VERIFY_SHELL = [ID_GUARD, 'sha1sum "$JENKINS_HOME/drill/$DRILL_ID.bin"'].join("\n");

/** A freestyle job on the built-in node (JENKINS_HOME lives only there) taking the DRILL_ID parameter. */
export function freestyleJobXml(description: string, shell: string): string {
    return `<?xml version='1.1' encoding='UTF-8'?>
<project>
  <description>${xmlEscape(description)}</description>
  <keepDependencies>false</keepDependencies>
  <properties>
    <hudson.model.ParametersDefinitionProperty>
      <parameterDefinitions>
        <hudson.model.StringParameterDefinition>
          <name>DRILL_ID</name>
          <description>Drill id; the file is $JENKINS_HOME/drill/&lt;id&gt;.bin</description>
          <defaultValue></defaultValue>
          <trim>true</trim>
        </hudson.model.StringParameterDefinition>
      </parameterDefinitions>
    </hudson.model.ParametersDefinitionProperty>
    <jenkins.model.BuildDiscarderProperty>
      <strategy class="hudson.tasks.LogRotator">
        <daysToKeep>-1</daysToKeep>
        <numToKeep>20</numToKeep>
        <artifactDaysToKeep>-1</artifactDaysToKeep>
        <artifactNumToKeep>-1</artifactNumToKeep>
      </strategy>
    </jenkins.model.BuildDiscarderProperty>
  </properties>
  <scm class="hudson.scm.NullSCM"/>
  <assignedNode>built-in</assignedNode>
  <canRoam>false</canRoam>
  <disabled>false</disabled>
  <blockBuildWhenDownstreamBuilding>false</blockBuildWhenDownstreamBuilding>
  <blockBuildWhenUpstreamBuilding>false</blockBuildWhenUpstreamBuilding>
  <triggers/>
  <concurrentBuild>false</concurrentBuild>
  <builders>
    <hudson.tasks.Shell>
      <command>${xmlEscape(shell)}</command>
    </hudson.tasks.Shell>
  </builders>
  <publishers/>
  <buildWrappers/>
</project>
`;
}

export function writeJobXml(): string {
    return freestyleJobXml(
        `ha-jenkins-eks fail-over drill: writes ${DRILL_FILE_MIB} MiB of random data to $JENKINS_HOME/drill/<DRILL_ID>.bin and prints its sha1sum. Managed by npm run drill:failover / drill:dr.`,
        WRITE_SHELL,
    );
}

export function verifyJobXml(): string {
    return freestyleJobXml(
        "ha-jenkins-eks fail-over drill: prints the sha1sum of $JENKINS_HOME/drill/<DRILL_ID>.bin. Managed by npm run drill:failover / drill:dr.",
        VERIFY_SHELL,
    );
}

/**
 * Script-console equivalent of WRITE_SHELL, for controllers without executors. Runs in the controller
 * JVM, so it needs no agent and reaches JENKINS_HOME directly; output is in sha1sum format.
 */
export function writeGroovy(id: string): string {
    assertDrillId(id);
    return `import java.security.MessageDigest
import java.security.SecureRandom
def dir = new File(jenkins.model.Jenkins.get().rootDir, 'drill')
if (!dir.isDirectory() && !dir.mkdirs()) throw new IOException('cannot create ' + dir)
def cutoff = System.currentTimeMillis() - ${DRILL_FILE_RETENTION_DAYS}L * 24 * 3600 * 1000
dir.listFiles().findAll { it.name.endsWith('.bin') && it.lastModified() < cutoff }.each { it.delete() }
def file = new File(dir, '${id}.bin')
def md = MessageDigest.getInstance('SHA-1')
def buf = new byte[1048576]
def rnd = new SecureRandom()
def out = new FileOutputStream(file)
try {
  ${DRILL_FILE_MIB}.times { rnd.nextBytes(buf); md.update(buf); out.write(buf) }
  out.getFD().sync()
} finally {
  out.close()
}
println md.digest().encodeHex().toString() + '  ' + file.path
`;
}

export function verifyGroovy(id: string): string {
    assertDrillId(id);
    return `import java.security.MessageDigest
def file = new File(new File(jenkins.model.Jenkins.get().rootDir, 'drill'), '${id}.bin')
if (!file.isFile()) {
  println 'MISSING ' + file.path
  return
}
def md = MessageDigest.getInstance('SHA-1')
file.withInputStream { s ->
  def buf = new byte[1048576]
  int n
  while ((n = s.read(buf)) > 0) md.update(buf, 0, n)
}
println md.digest().encodeHex().toString() + '  ' + file.path
`;
}

/** The SHA-1 printed for `<id>.bin` (sha1sum format), or undefined if the output has none. */
export function parseChecksum(output: string, id: string): string | undefined {
    assertDrillId(id);
    for (const line of output.split(/\r?\n/)) {
        const m = /^([0-9a-f]{40})\s+\*?(\S+)\s*$/.exec(line.trim());
        if (m?.[2].endsWith(`/drill/${id}.bin`)) return m[1];
    }
    return undefined;
}
