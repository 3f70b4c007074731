/**
 * What differs between the Flink release lines the generator imitates. Template choices are keyed on the minor
 * number (10, 13, 17, 20) and follow the "versions" columns of /work/shared/reference/flink-formats.md.
 */
export type FlinkLine = '1.10' | '1.13' | '1.17' | '1.20';

export const FLINK_LINES: readonly FlinkLine[] = ['1.10', '1.13', '1.17', '1.20'];

export interface VersionProfile {
  line: FlinkLine;
  /** 10, 13, 17 or 20: compared against the version ranges of the templates. */
  minor: number;
  /** The full release written in the banner and the jar names. */
  full: string;
  revision: string;
  /** Build date exactly as the banner prints it for this line. */
  buildDate: string;
  scala: string;
  /** log4j 2 (1.11+) prints the empty NDC as `[]` and packaging data after stack frames. */
  log4j2: boolean;
  /** Jar name in log4j2 packaging suffixes of Flink frames; null for log4j 1. */
  distJar: string | null;
  jdkMajor: 8 | 11 | 17;
  jvmBanner: string;
  javaHome: string;
  /** Base wall-clock time of the incident (UTC; containers log in UTC). */
  baseTimeMs: number;
  /** Actor-system URL scheme: Akka up to 1.17, Pekko from 1.18. */
  rpcScheme: 'akka.tcp' | 'pekko.tcp';
}

const PROFILES: Record<FlinkLine, VersionProfile> = {
  '1.10': {
    line: '1.10', minor: 10, full: '1.10.3', revision: 'ecb6d79', buildDate: '21.01.2021 @ 18:30:31 CET', scala: '2.11',
    log4j2: false, distJar: null, jdkMajor: 8,
    jvmBanner: 'OpenJDK 64-Bit Server VM - AdoptOpenJDK - 1.8/25.292-b10', javaHome: '/usr/local/openjdk-8',
    baseTimeMs: Date.UTC(2020, 2, 2, 14, 0, 0), rpcScheme: 'akka.tcp',
  },
  '1.13': {
    line: '1.13', minor: 13, full: '1.13.6', revision: 'b2ca390', buildDate: '2022-02-03T16:34:54+01:00', scala: '2.12',
    log4j2: true, distJar: 'flink-dist_2.12-1.13.6.jar', jdkMajor: 11,
    jvmBanner: 'OpenJDK 64-Bit Server VM - Eclipse Adoptium - 11/11.0.14.1+1', javaHome: '/opt/java/openjdk',
    baseTimeMs: Date.UTC(2021, 6, 19, 10, 0, 0), rpcScheme: 'akka.tcp',
  },
  '1.17': {
    line: '1.17', minor: 17, full: '1.17.2', revision: 'c0027e5', buildDate: '2023-11-09T13:24:13+01:00', scala: '2.12',
    log4j2: true, distJar: 'flink-dist-1.17.2.jar', jdkMajor: 11,
    jvmBanner: 'OpenJDK 64-Bit Server VM - Eclipse Adoptium - 11/11.0.21+9', javaHome: '/opt/java/openjdk',
    baseTimeMs: Date.UTC(2023, 5, 14, 9, 0, 0), rpcScheme: 'akka.tcp',
  },
  '1.20': {
    line: '1.20', minor: 20, full: '1.20.0', revision: 'b1fe7b4', buildDate: '2024-07-26T16:04:35+02:00', scala: '2.12',
    log4j2: true, distJar: 'flink-dist-1.20.0.jar', jdkMajor: 17,
    jvmBanner: 'OpenJDK 64-Bit Server VM - Eclipse Adoptium - 17/17.0.12+7', javaHome: '/opt/java/openjdk',
    baseTimeMs: Date.UTC(2024, 8, 10, 8, 0, 0), rpcScheme: 'pekko.tcp',
  },
};

export function profileFor(line: string): VersionProfile {
  if (!isFlinkLine(line)) throw new Error(`unsupported Flink version ${line}; use one of ${FLINK_LINES.join(', ')}`);
  return PROFILES[line];
}

export function isFlinkLine(value: string): value is FlinkLine {
  return (FLINK_LINES as readonly string[]).includes(value);
}
