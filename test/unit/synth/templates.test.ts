import { describe, expect, it } from 'vitest';
import type { FlinkLine } from '../../synth/versions.js';
import { RECORD_START, cluster, generate, messages, readLines } from './helpers.js';

/**
 * Every Flink log line the generator writes must look exactly like the given version's output
 * (/work/shared/reference/flink-formats.md): layout, separator, template wording, id formats.
 */
const HEX32 = '[0-9a-f]{32}';
const ATTEMPT_1_16 = `${HEX32}_${HEX32}_\\d+_\\d+`;

function allFlinkLogs(summary: Awaited<ReturnType<typeof generate>>): Array<{ path: string; lines: string[] }> {
  return summary.files.filter((f) => f.kind === 'flink-jm-log' || f.kind === 'flink-tm-log').map((f) => ({ path: f.path, lines: readLines(summary, f.path) }));
}

/** A physical line that is not a record start must be a legitimate continuation of a multi-line record. */
const CONTINUATION = /^(\t(at |\.\.\. \d+ more$)|Caused by: |[a-z][\w.$]*\.[A-Z][\w$]*(: |$))/;

describe.each<[FlinkLine, string, RegExp]>([
  ['1.10', '  - ', /^Triggering checkpoint (\d+) @ (\d{13}) for job [0-9a-f]{32}\.$/],
  ['1.13', ' [] - ', /^Triggering checkpoint (\d+) \(type=CHECKPOINT\) @ (\d{13}) for job [0-9a-f]{32}\.$/],
  ['1.17', ' [] - ', /^Triggering checkpoint (\d+) \(type=CheckpointType\{name='Checkpoint', sharingFilesStrategy=FORWARD_BACKWARD\}\) @ (\d{13}) for job [0-9a-f]{32}\.$/],
  ['1.20', ' [] - ', /^Triggering checkpoint (\d+) \(type=CheckpointType\{name='Checkpoint', sharingFilesStrategy=FORWARD_BACKWARD\}\) @ (\d{13}) for job [0-9a-f]{32}\.$/],
])('Flink %s layout and checkpoint templates', (version, separator, trigger) => {
  it('writes every line in the version layout, with continuation lines only inside multi-line records', async () => {
    const summary = await generate({ scenario: 'backpressure-expired', version, debug: true });
    const problems: string[] = [];
    for (const { path, lines } of allFlinkLogs(summary)) {
      let previous = '';
      for (const line of lines) {
        const record = RECORD_START.exec(line);
        if (record === null) {
          if (!CONTINUATION.test(line) && line !== '') problems.push(`${path}: unexpected continuation line "${line}"`);
          continue;
        }
        // %-5p then %-60c: the logger starts at column 30 and is padded to 60 chars (longer names are not cut).
        const logger = record[3];
        const afterLogger = line.slice(30 + Math.max(60, logger.length));
        if (!/^(INFO |WARN |DEBUG|ERROR|TRACE) $/.test(line.slice(24, 30))) problems.push(`${path}: level not padded: ${line}`);
        if (line.slice(30, 30 + logger.length) !== logger) problems.push(`${path}: logger not at column 30: ${line}`);
        if (!afterLogger.startsWith(separator)) problems.push(`${path}: separator is not "${separator}": ${line}`);
        if (record[1] < previous) problems.push(`${path}: time goes backwards at ${line}`);
        previous = record[1];
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it('triggers and completes the expected checkpoints with the version wording', async () => {
    const summary = await generate({ scenario: 'backpressure-expired', version });
    const truth = cluster(summary);
    const jm = readLines(summary, truth.jobManager.logFile);
    const triggers = messages(jm, /^Triggering checkpoint /);
    expect(triggers.length).toBe(truth.checkpoints.length);
    triggers.forEach((message, i) => {
      const match = trigger.exec(message);
      expect(match, message).not.toBeNull();
      expect(Number(match?.[1])).toBe(truth.checkpoints[i].id);
      expect(Number(match?.[2])).toBe(truth.checkpoints[i].triggerMs);
    });
    const completed = messages(jm, /^Completed checkpoint /);
    const expectedCompleted = truth.checkpoints.filter((c) => c.outcome === 'COMPLETED');
    expect(completed.length).toBe(expectedCompleted.length);
    const c1 = /^Completed checkpoint (\d+) for job [0-9a-f]{32} \((\d+) bytes in (\d+) ms\)\.$/;
    const c2 = /^Completed checkpoint (\d+) for job [0-9a-f]{32} \((\d+) bytes, checkpointDuration=(\d+) ms, finalizationTime=\d+ ms\)\.$/;
    completed.forEach((message, i) => {
      const match = (version === '1.10' || version === '1.13' ? c1 : c2).exec(message);
      expect(match, message).not.toBeNull();
      expect(Number(match?.[1])).toBe(expectedCompleted[i].id);
      expect(Number(match?.[2])).toBe(expectedCompleted[i].stateSize);
      expect(Number(match?.[3])).toBe(expectedCompleted[i].durationMs);
    });
    const expired = truth.checkpoints.filter((c) => c.outcome === 'EXPIRED');
    expect(expired.length).toBe(truth.config.tolerableFailures + 1);
    expect(messages(jm, /^Checkpoint \d+ of job [0-9a-f]{32} expired before completing\.$/).length).toBe(expired.length);
    const e2 = messages(jm, /^Failed to trigger or complete checkpoint \d+ for job [0-9a-f]{32}\. \(\d+ consecutive failed attempts so far\)$/);
    expect(e2.length).toBe(version === '1.17' || version === '1.20' ? expired.length : 0);
    const late = messages(jm, /^Received late message for now expired checkpoint attempt \d+ from task /);
    expect(late.length).toBe(truth.checkpoints.reduce((n, c) => n + c.lateAcks.length, 0));
    const attempt = version === '1.17' || version === '1.20' ? ATTEMPT_1_16 : HEX32;
    const straggler = truth.stragglers[0];
    expect(late[0]).toMatch(new RegExp(`attempt ${straggler.checkpointId} from task ${attempt} of job`));
    expect(late[0]).toContain(`from task ${straggler.attemptId} `);
    expect(late[0]).toContain(`at ${truth.taskManagers.find((tm) => tm.name === straggler.tm)?.location}.`);
    const tolerable = version === '1.17' || version === '1.20'
      ? 'org.apache.flink.util.FlinkRuntimeException: Exceeded checkpoint tolerable failure threshold. The latest checkpoint failed due to Checkpoint expired before completing., view the Checkpoint History tab'
      : 'org.apache.flink.util.FlinkRuntimeException: Exceeded checkpoint tolerable failure threshold.';
    const recover = jm.findIndex((l) => l.endsWith('- Trying to recover from a global failure.'));
    expect(jm[recover + 1].startsWith(tolerable)).toBe(true);
    expect(messages(jm, /^Job orders-enrichment \([0-9a-f]{32}\) switched from state RUNNING to RESTARTING\.$/).length).toBe(1);
    expect(messages(jm, /^\d+ tasks will be restarted to recover from a global failure\.$/).length).toBe(version === '1.17' || version === '1.20' ? 1 : 0);
    const restore = messages(jm, /^Restoring job /)[0];
    const restoredId = truth.failovers[0].restoredCheckpointId;
    expect(restore).toMatch(version === '1.10'
      ? new RegExp(`^Restoring job ${HEX32} from latest valid checkpoint: Checkpoint ${restoredId} @ \\d{13} for ${HEX32}\\.$`)
      : new RegExp(`^Restoring job ${HEX32} from Checkpoint ${restoredId} @ \\d{13} for ${HEX32} located at s3://\\S+/chk-${restoredId}\\.$`));
  });

  it('deploys with the version attempt-id format and banner', async () => {
    const summary = await generate({ scenario: 'healthy', version });
    const truth = cluster(summary);
    const jm = readLines(summary, truth.jobManager.logFile);
    const deploying = messages(jm, /^Deploying /);
    expect(deploying.length).toBe(16);
    const location = '\\S+ @ tm-\\d \\(dataPort=\\d+\\)';
    const pattern = {
      '1.10': new RegExp(`^Deploying .+ \\(\\d/4\\) \\(attempt #0\\) to ${location}$`),
      '1.13': new RegExp(`^Deploying .+ \\(\\d/4\\) \\(attempt #0\\) with attempt id ${HEX32} to ${location} with allocation id ${HEX32}$`),
      '1.17': new RegExp(`^Deploying .+ \\(\\d/4\\) \\(attempt #0\\) with attempt id ${ATTEMPT_1_16} and vertex id ${HEX32}_\\d to ${location} with allocation id ${HEX32}$`),
      '1.20': new RegExp(`^Deploying .+ \\(\\d/4\\) \\(attempt #0\\) with attempt id ${ATTEMPT_1_16} and vertex id ${HEX32}_\\d to ${location} with allocation id ${HEX32}$`),
    }[version];
    for (const message of deploying) expect(message).toMatch(pattern);
    const banner = messages(jm, /^ Starting StandaloneSessionClusterEntrypoint /)[0];
    expect(banner).toMatch(version === '1.10' ? /\(Version: 1\.10\.\d, Rev:[0-9a-f]{7}, Date:/ : new RegExp(`\\(Version: ${version.replace('.', '\\.')}\\.\\d, Scala: 2\\.12, Rev:[0-9a-f]{7}, Date:`));
    const tm = readLines(summary, truth.taskManagers[0].logFile);
    const resourceId = messages(tm, /^Starting TaskManager with ResourceID: /)[0].split(': ')[1];
    expect(resourceId).toBe(truth.taskManagers[0].resourceId);
    expect(resourceId).toMatch(version === '1.10' ? new RegExp(`^${HEX32}$`) : /^10\.42\.7\.\d+:6122-[0-9a-f]{6}$/);
    expect(messages(tm, /^ {4}-Dlog\.file=/)[0]).toBe(`    -Dlog.file=/opt/flink/log/${truth.taskManagers[0].logFile.split('/').pop()}`);
    const running = messages(tm, /switched from (DEPLOYING|INITIALIZING) to RUNNING\.$/)[0];
    expect(running).toMatch(version === '1.10' ? /^\S.* \(\d\/4\) \([0-9a-f]{32}\) switched from DEPLOYING to RUNNING\.$/ : /^\S.* \(\d\/4\)#0 \(\S+\) switched from INITIALIZING to RUNNING\.$/);
  });
});

describe('task failure and decline templates by version', () => {
  it.each<[FlinkLine]>([['1.10'], ['1.13'], ['1.17'], ['1.20']])('Flink %s', async (version) => {
    const summary = await generate({ scenario: 'declined-task-failure', version });
    const truth = cluster(summary);
    const jm = readLines(summary, truth.jobManager.logFile);
    const declined = truth.checkpoints.find((c) => c.outcome === 'DECLINED');
    expect(declined).toBeDefined();
    const failed = truth.failovers[0].failedTask;
    expect(failed?.vertexName).toContain('Window(');
    const d1 = jm.findIndex((l) => l.includes(`- Decline checkpoint ${declined?.id} by task ${failed?.attemptId} of job `));
    expect(d1).toBeGreaterThan(0);
    if (version === '1.10') {
      expect(jm[d1 + 1]).toMatch(/- Discarding checkpoint \d+ of job [0-9a-f]{32}\.$/);
      expect(jm[d1 + 2]).toMatch(/^java\.lang\.Exception: Could not materialize checkpoint \d+ for operator Window\(.*\) \(3\/4\)\.$/);
      expect(jm[d1 + 3]).toMatch(/^\tat org\.apache\.flink\.streaming\.runtime\.tasks\.StreamTask\$AsyncCheckpointRunnable\.\S+\(StreamTask\.java:\d+\)$/);
    } else {
      expect(jm[d1 + 1]).toMatch(/^java\.lang\.Exception: Could not materialize checkpoint \d+ for operator Window\(.*\) \(3\/4\)#0\.$/);
      expect(jm[d1 + 2]).toMatch(/ ~\[flink-dist[-_][\d.]+(-[\d.]+)?\.jar:[\d.]+\]$/);
    }
    const tmLines = readLines(summary, truth.taskManagers.find((tm) => tm.name === failed?.tm)?.logFile ?? '');
    const x = tmLines.findIndex((l) => l.includes(' switched from RUNNING to FAILED'));
    const head = tmLines[x];
    switch (version) {
      case '1.10':
        expect(head).toMatch(/ INFO  org\.apache\.flink\.runtime\.taskmanager\.Task {21}- .* \(3\/4\) \([0-9a-f]{32}\) switched from RUNNING to FAILED\.$/);
        expect(tmLines[x + 1]).toBe('org.apache.flink.util.FlinkRuntimeException: Error while adding data to RocksDB');
        expect(tmLines[x + 2]).toMatch(/^\tat \S+\(\S+\.java:\d+\)$/);
        break;
      case '1.13':
        expect(head).toMatch(/ WARN  org\.apache\.flink\.runtime\.taskmanager\.Task {20}\[\] - .* \(3\/4\)#0 \([0-9a-f]{32}\) switched from RUNNING to FAILED with failure cause: org\.apache\.flink\.util\.FlinkRuntimeException: Error while adding data to RocksDB$/);
        // The stack is part of the message (stringifyException): plain printStackTrace frames, JDK 11 module prefixes.
        expect(tmLines.slice(x + 1, x + 20).every((l) => !l.includes('~['))).toBe(true);
        expect(tmLines.slice(x + 1, x + 40).some((l) => l.startsWith('\tat java.base/java.lang.Thread.run('))).toBe(true);
        break;
      default:
        expect(head).toMatch(/ WARN  org\.apache\.flink\.runtime\.taskmanager\.Task {20}\[\] - .* \(3\/4\)#0 \(\S+\) switched from RUNNING to FAILED with failure cause:$/);
        expect(tmLines[x + 1]).toBe('org.apache.flink.util.FlinkRuntimeException: Error while adding data to RocksDB');
        expect(tmLines[x + 2]).toMatch(/ ~\[flink-dist-1\.(17|20)\.\d\.jar:1\.(17|20)\.\d\]$/);
    }
    const restart = messages(jm, /tasks? (should be|will be) restarted to recover the failed task/);
    expect(restart[restart.length - 1]).toMatch(version === '1.17' || version === '1.20'
      ? /^16 tasks will be restarted to recover the failed task [0-9a-f]{32}_2\.$/
      : /^16 tasks should be restarted to recover the failed task [0-9a-f]{32}_2\. $/);
    const failedOnJm = messages(jm, / switched from RUNNING to FAILED/)[0];
    expect(failedOnJm.endsWith(version === '1.10' ? 'to FAILED.' : `to FAILED on ${truth.taskManagers.find((tm) => tm.name === failed?.tm)?.location}.`)).toBe(true);
  });
});

describe('lost TaskManager templates by version', () => {
  it.each<[FlinkLine]>([['1.13'], ['1.17']])('Flink %s', async (version) => {
    const summary = await generate({ scenario: 'tm-lost', version });
    const truth = cluster(summary);
    const lost = truth.lostTm;
    expect(lost).not.toBeNull();
    const jm = readLines(summary, truth.jobManager.logFile);
    const h2 = messages(jm, new RegExp(`^Heartbeat of TaskManager with id ${lost?.resourceId.replace(/\./g, '\\.')} timed out\\.$`));
    expect(h2.length).toBe(version === '1.13' ? 0 : 1);
    expect(messages(jm, /^Closing TaskExecutor connection \S+ because: The heartbeat of TaskManager with id \S+ timed out\.$/).length).toBe(1);
    const timeoutCause = jm.filter((l) => l.startsWith(`java.util.concurrent.TimeoutException: Heartbeat of TaskManager with id ${lost?.resourceId} timed out.`));
    expect(timeoutCause.length).toBe(4);
    // Nothing is logged by the lost TM while its JVM is stopped.
    const tmLines = readLines(summary, truth.taskManagers.find((tm) => tm.name === lost?.tm)?.logFile ?? '');
    const times = tmLines.map((l) => RECORD_START.exec(l)?.[1]).filter((t): t is string => t !== undefined).map((t) => Date.parse(`${t.replace(' ', 'T').replace(',', '.')}Z`));
    expect(times.some((t) => t > (lost?.pauseStartMs ?? 0) && t < (lost?.pauseEndMs ?? 0))).toBe(false);
    const gc = readLines(summary, truth.taskManagers.find((tm) => tm.name === lost?.tm)?.gcLogFile ?? '');
    const full = gc.find((l) => / Pause Full \(Allocation Failure\) \d+M->\d+M\(\d+M\) \d+\.\d{3}ms$/.test(l) && Number(/ (\d+\.\d{3})ms$/.exec(l)?.[1]) > 50_000);
    expect(full).toBeDefined();
  });
});
