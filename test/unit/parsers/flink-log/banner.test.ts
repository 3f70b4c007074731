import { describe, expect, it } from 'vitest';
import { componentOf } from '../../../../src-main/core/parsers/flink-log/banner.js';
import { hostFromFileName } from '../../../../src-main/core/parsers/flink-log/index.js';
import { parse, render, utc, type Layout } from './helpers.js';

const DASHES = '--------------------------------------------------------------------------------';

function banner(layout: Layout, stamp: string, logger: string, lines: readonly string[]): string[] {
  return lines.map((message) => render(layout, stamp, 'INFO', logger, message));
}

const BANNER_110 = banner('log4j1', '2020-03-02 14:00:00,100', 'org.apache.flink.runtime.entrypoint.ClusterEntrypoint', [
  DASHES,
  ' Starting StandaloneSessionClusterEntrypoint (Version: 1.10.0, Rev:aa4eb8f, Date:07.02.2020 @ 19:18:19 CET)',
  ' OS current user: flink',
  ' Current Hadoop/Kerberos user: <no hadoop dependency found>',
  ' JVM: OpenJDK 64-Bit Server VM - Oracle Corporation - 1.8/25.242-b08',
  ' Maximum heap size: 989 MiBytes',
  ' JAVA_HOME: /usr/local/openjdk-8',
  ' No Hadoop Dependency available',
  ' JVM Options:',
  '    -Xms1024m',
  '    -Xmx1024m',
  '    -Dlog.file=/opt/flink/log/flink--standalonesession-0-jm-0.log',
  ' Program Arguments:',
  '    --configDir',
  '    /opt/flink/conf',
  ' Classpath: /opt/flink/lib/flink-dist_2.11-1.10.0.jar:::',
  DASHES,
]);

const BANNER_113_TM = [
  ...banner('log4j2', '2021-07-19 09:00:00,010', 'org.apache.flink.runtime.taskexecutor.TaskManagerRunner', [
    DASHES,
    ' Starting TaskManager (Version: 1.13.2, Scala: 2.12, Rev:5f007ff, Date:2021-07-23T04:35:55+02:00)',
    ' OS current user: flink',
    ' JVM: OpenJDK 64-Bit Server VM - AdoptOpenJDK - 11/11.0.11+9',
    ' Maximum heap size: 512 MiBytes',
    ' JVM Options:',
    '    -XX:+UseG1GC',
    '    -Xmx536870902',
    ' Program Arguments:',
    '    -D',
    '    taskmanager.memory.network.min=134217730b',
    ' Classpath: /opt/flink/lib/flink-dist_2.12-1.13.2.jar',
    DASHES,
  ]),
  render('log4j2', '2021-07-19 09:00:00,200', 'INFO', 'org.apache.flink.configuration.GlobalConfiguration', 'Loading configuration property: taskmanager.numberOfTaskSlots, 4'),
  render('log4j2', '2021-07-19 09:00:00,201', 'INFO', 'org.apache.flink.configuration.GlobalConfiguration', 'Loading configuration property: state.checkpoints.dir, s3://bucket/ckp'),
  render('log4j2', '2021-07-19 09:00:00,202', 'INFO', 'org.apache.flink.configuration.GlobalConfiguration', 'Loading configuration property: s3.secret-key, ******'),
  render('log4j2', '2021-07-19 09:00:01,000', 'INFO', 'org.apache.flink.runtime.taskexecutor.TaskManagerRunner', 'Starting TaskManager with ResourceID: 10.42.7.19:6122-4c8e2a'),
];

const BANNER_117 = banner('logback', '2023-06-14 08:00:00,001', 'org.apache.flink.runtime.entrypoint.ClusterEntrypoint', [
  DASHES,
  ' Starting KubernetesApplicationClusterEntrypoint (Version: 1.17.2, Scala: 2.12, Rev:c0027e5, Date:2023-11-09T13:24:38+01:00)',
  ' OS current user: flink',
  ' Current Hadoop/Kerberos user: <no hadoop dependency found>',
  ' JVM: OpenJDK 64-Bit Server VM - Eclipse Adoptium - 11/11.0.21+9',
  ' Arch: amd64',
  ' Maximum heap size: 981 MiBytes',
  ' JAVA_HOME: /opt/java/openjdk',
  ' No Hadoop Dependency available',
  ' JVM Options:',
  '    -Xmx1073741824',
  '    -Dlog.file=/opt/flink/log/flink--kubernetes-application-0-orders-enrichment-7d9f8c6b5-x2x9z.log',
  ' Program Arguments: (none)',
  ' Classpath: /opt/flink/lib/flink-dist-1.17.2.jar',
  DASHES,
]);

describe('start-up banner (flink-formats §1.3)', () => {
  it('reads a 1.10 JobManager banner (log4j 1)', () => {
    const { facts, events, merged } = parse(BANNER_110, { path: 'logs/flink-flink-standalonesession-0-jm-0.log' });
    expect(facts).toHaveLength(1);
    expect(merged).toMatchObject({
      component: 'jobmanager',
      flinkVersion: '1.10.0',
      flinkRevision: 'aa4eb8f',
      jvm: 'OpenJDK 64-Bit Server VM - Oracle Corporation - 1.8/25.242-b08',
      maxHeapMiB: 989,
      jvmOptions: ['-Xms1024m', '-Xmx1024m', '-Dlog.file=/opt/flink/log/flink--standalonesession-0-jm-0.log'],
      jvmStartUs: utc('2020-03-02 14:00:00,100'),
      host: 'jm-0',
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'startup.banner', template: 'BANNER', line: 2, lineCount: 16 });
    expect(events[0]!.attrs).toMatchObject({ entrypoint: 'StandaloneSessionClusterEntrypoint', flinkVersion: '1.10.0', osUser: 'flink' });
  });

  it('reads a 1.13 TaskManager banner, its configuration and its resource id', () => {
    const { merged, events } = parse(BANNER_113_TM, { path: 'tm-7/taskmanager.log' });
    expect(merged).toMatchObject({
      component: 'taskmanager',
      flinkVersion: '1.13.2',
      flinkRevision: '5f007ff',
      maxHeapMiB: 512,
      jvmOptions: ['-XX:+UseG1GC', '-Xmx536870902'],
      tmResourceId: '10.42.7.19:6122-4c8e2a',
      config: { 'taskmanager.numberOfTaskSlots': '4', 'state.checkpoints.dir': 's3://bucket/ckp', 's3.secret-key': '******' },
    });
    expect(merged.host).toBeUndefined();
    expect(events.map((e) => e.kind)).toEqual(['startup.banner', 'config.property', 'config.property', 'config.property', 'startup.resource-id']);
    expect(events[0]!.attrs).toMatchObject({ scala: '2.12', flinkVersion: '1.13.2' });
  });

  it('reads a 1.17 banner (logback) and takes the host from -Dlog.file when the bundle renamed the file', () => {
    const { merged } = parse(BANNER_117, { path: 'bundle/jobmanager.log' });
    expect(merged).toMatchObject({
      component: 'jobmanager',
      flinkVersion: '1.17.2',
      jvm: 'OpenJDK 64-Bit Server VM - Eclipse Adoptium - 11/11.0.21+9',
      maxHeapMiB: 981,
      host: 'orders-enrichment-7d9f8c6b5-x2x9z',
      jvmStartUs: utc('2023-06-14 08:00:00,001'),
    });
  });

  it('closes a banner cut short by another logger and still reports it', () => {
    const lines = [...BANNER_110.slice(0, 6), render('log4j1', '2020-03-02 14:00:01,000', 'INFO', 'org.apache.flink.runtime.security.modules.HadoopModuleFactory', 'Cannot create Hadoop Security Module.')];
    const { merged, events } = parse(lines);
    expect(merged).toMatchObject({ flinkVersion: '1.10.0', maxHeapMiB: 989 });
    expect(events[0]).toMatchObject({ kind: 'startup.banner', line: 2, lineCount: 5 });
  });

  it('reports the file-name host even without a banner', () => {
    const { merged } = parse([render('log4j2', '2023-06-14 08:00:00,001', 'INFO', 'org.apache.Foo', 'x')], { path: 'flink--taskexecutor-0-tm-3.example.com.log.2' });
    expect(merged.host).toBe('tm-3.example.com');
  });

  it('names the component from the entrypoint', () => {
    expect(componentOf('StandaloneSessionClusterEntrypoint')).toBe('jobmanager');
    expect(componentOf('StandaloneApplicationClusterEntryPoint')).toBe('jobmanager');
    expect(componentOf('YarnJobClusterEntrypoint')).toBe('jobmanager');
    expect(componentOf('TaskManager')).toBe('taskmanager');
    expect(componentOf('TaskManagerRunner')).toBe('taskmanager');
    expect(componentOf('YARN TaskExecutor runner')).toBe('taskmanager');
    expect(componentOf('KubernetesTaskExecutorRunner')).toBe('taskmanager');
    expect(componentOf('HistoryServer')).toBe('historyserver');
    expect(componentOf('Command Line Client')).toBe('client');
    expect(componentOf('SqlGateway')).toBe('other');
  });
});

describe('hostFromFileName (flink-formats §1.2)', () => {
  it.each([
    ['flink-alice-standalonesession-0-jm-host.example.com.log', 'jm-host.example.com'],
    ['/var/log/flink/flink-alice-taskexecutor-2-worker-7.log.3', 'worker-7'],
    ['flink--taskexecutor-0-orders-taskmanager-1-3.log', 'orders-taskmanager-1-3'],
    ['flink-flink-kubernetes-taskmanager-0-orders-enrichment-taskmanager-1-3.out', 'orders-enrichment-taskmanager-1-3'],
    ['flink-my-user-historyserver-0-hs-1.err', 'hs-1'],
    ['flink-root-sql-gateway-0-gw.log', 'gw'],
    ['pods/orders-enrichment-taskmanager-1-3/taskmanager.log', 'orders-enrichment-taskmanager-1-3'],
    ['orders-enrichment-taskmanager-2-11.log', 'orders-enrichment-taskmanager-2-11'],
    ['kubectl/orders-enrichment-7d9f8c6b5-x2x9z.log', 'orders-enrichment-7d9f8c6b5-x2x9z'],
    ['C:\\incident\\flink-bob-standalonejob-1-box.log', 'box'],
  ])('%s → %s', (path, host) => {
    expect(hostFromFileName(path)).toBe(host);
  });

  it.each(['jobmanager.log', 'container_e12_1660007759349_0003_01_000003/taskmanager.log', 'flink-conf.yaml', '', 'logs/gc.log'])('%s → no host', (path) => {
    expect(hostFromFileName(path)).toBeUndefined();
  });
});
