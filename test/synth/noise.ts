import type { JavaThrowable, LineLayout } from './layout.js';
import { flink, jdk, user } from './layout.js';
import type { Cluster, TaskManager } from './model.js';
import type { Prng } from './prng.js';
import type { Untimed } from './templates.js';
import { LOGGER, TASK_FRAMES } from './templates.js';

/**
 * Background lines that surround the checkpoint lines in real logs: Kafka client chatter, user-function
 * messages, heartbeats (DEBUG), an occasional WARN with a stack. Each generator is weighted; DEBUG ones only
 * run with `--debug` (a default INFO root logger would never print them).
 */
interface Generator {
  weight: number;
  debugOnly: boolean;
  make: () => Untimed;
}

export class NoiseSource {
  private readonly generators: Generator[];
  private readonly weights: number[];
  private correlationId = 1000;
  private offset = 0;

  constructor(private readonly cluster: Cluster, private readonly tm: TaskManager | null, debug: boolean, private readonly rng: Prng, private readonly layout: LineLayout) {
    this.offset = rng.int(1_000_000, 90_000_000);
    const all = tm === null ? this.jmGenerators() : this.tmGenerators(tm);
    this.generators = all.filter((g) => debug || !g.debugOnly);
    this.weights = this.generators.map((g) => g.weight);
  }

  next(): Untimed {
    return this.generators[this.rng.weighted(this.weights)].make();
  }

  private consumerPrefix(tm: TaskManager): string {
    const client = this.cluster.profile.minor <= 10 ? `consumer-${tm.index * 10 + this.rng.int(1, 4)}` : `consumer-orders-enrichment-${tm.index * 10 + this.rng.int(1, 4)}`;
    return `[Consumer clientId=${client}, groupId=orders-enrichment]`;
  }

  private tmGenerators(tm: TaskManager): Generator[] {
    const rng = this.rng;
    const partition = (): string => `orders-${rng.int(0, 11)}`;
    const node = (): number => rng.int(1, 3);
    const info = (logger: string, message: string): Untimed => ({ level: 'INFO', logger, message });
    const debug = (logger: string, message: string): Untimed => ({ level: 'DEBUG', logger, message });
    return [
      {
        weight: 6, debugOnly: false,
        make: () => info('org.apache.kafka.clients.FetchSessionHandler',
          `${this.consumerPrefix(tm)} Error sending fetch request (sessionId=${rng.int(100000000, 2000000000)}, epoch=${rng.int(1, 90000)}) to node ${node()}: org.apache.kafka.common.errors.DisconnectException.`),
      },
      {
        weight: 4, debugOnly: false,
        make: () => info('org.apache.kafka.clients.NetworkClient', `${this.consumerPrefix(tm)} Node ${node()} disconnected.`),
      },
      {
        weight: 3, debugOnly: false,
        make: () => info('org.apache.kafka.clients.consumer.internals.SubscriptionState',
          `${this.consumerPrefix(tm)} Resetting offset for partition ${partition()} to position FetchPosition{offset=${(this.offset += rng.int(1, 5000))}, offsetEpoch=Optional.empty, currentLeader=LeaderAndEpoch{leader=Optional[kafka-${node()}.kafka.svc:9092 (id: ${node()} rack: null)], epoch=0}}.`),
      },
      {
        weight: 2, debugOnly: false,
        make: () => info('org.apache.kafka.clients.consumer.internals.AbstractCoordinator',
          `${this.consumerPrefix(tm)} Discovered group coordinator kafka-${node()}.kafka.svc:9092 (id: ${2147483647 - node()} rack: null)`),
      },
      {
        weight: 5, debugOnly: false,
        make: () => info('com.example.orders.EnrichmentFunction', `Customer cache refreshed: ${rng.int(90_000, 130_000)} entries in ${rng.int(40, 900)} ms`),
      },
      {
        weight: 0.4, debugOnly: false,
        make: () => ({ level: 'WARN', logger: 'com.example.orders.EnrichmentFunction', message: `Lookup of customer ${rng.int(1, 9_999_999)} took ${rng.int(500, 4000)} ms, serving stale entry` }),
      },
      {
        weight: 0.15, debugOnly: false,
        make: () => ({
          level: 'WARN', logger: 'com.example.orders.EnrichmentFunction',
          message: `Enrichment call failed for order ${rng.int(1, 99_999_999)}, retrying (attempt ${rng.int(1, 3)}/3)`,
          tail: this.layout.loggedStack(lookupTimeout(rng.int(900, 999))),
        }),
      },
      {
        weight: 30, debugOnly: true,
        make: () => debug('org.apache.kafka.clients.consumer.internals.Fetcher',
          `${this.consumerPrefix(tm)} Fetch READ_UNCOMMITTED at offset ${(this.offset += rng.int(1, 900))} for partition ${partition()} returned fetch data (error=NONE, highWaterMark=${this.offset + rng.int(0, 90000)}, lastStableOffset = ${this.offset + rng.int(0, 90000)}, logStartOffset = 0, preferredReadReplica = absent, abortedTransactions = null, divergingEpoch =Optional.empty, recordsSizeInBytes=${rng.int(1000, 1048576)})`),
      },
      {
        weight: 25, debugOnly: true,
        make: () => debug('org.apache.kafka.clients.NetworkClient',
          `${this.consumerPrefix(tm)} Sending FETCH request with header RequestHeader(apiKey=FETCH, apiVersion=12, clientId=consumer-orders-enrichment-${tm.index * 10 + 1}, correlationId=${(this.correlationId += 1)}) and timeout 30000 to node ${node()}: FetchRequestData(clusterId=null, replicaId=-1, maxWaitMs=500, minBytes=1, maxBytes=52428800, isolationLevel=0, sessionId=${rng.int(100000000, 2000000000)}, sessionEpoch=${rng.int(1, 90000)}, topics=[], forgottenTopicsData=[], rackId='')`),
      },
      {
        weight: 4, debugOnly: true,
        make: () => debug(LOGGER.taskExecutor, `Received heartbeat request from ${this.cluster.jobMasterId}.`),
      },
      {
        weight: 4, debugOnly: true,
        make: () => debug(LOGGER.taskExecutor, `Received heartbeat request from ${this.cluster.resourceManagerId}.`),
      },
    ];
  }

  private jmGenerators(): Generator[] {
    const rng = this.rng;
    const tmId = (): string => rng.pick(this.cluster.tms).resourceId;
    const debug = (logger: string, message: string): Untimed => ({ level: 'DEBUG', logger, message });
    return [
      { weight: 0.3, debugOnly: false, make: () => this.metricFetcherWarning() },
      { weight: 6, debugOnly: true, make: () => debug(LOGGER.jobMaster, 'Trigger heartbeat request.') },
      { weight: 12, debugOnly: true, make: () => debug(LOGGER.jobMaster, `Received heartbeat from ${tmId()}.`) },
      { weight: 6, debugOnly: true, make: () => debug(LOGGER.resourceManager, 'Trigger heartbeat request.') },
      { weight: 12, debugOnly: true, make: () => debug(LOGGER.resourceManager, `Received heartbeat from ${tmId()}.`) },
      {
        weight: 8, debugOnly: true,
        make: () => debug('org.apache.flink.runtime.rest.handler.job.JobDetailsHandler', `Received request /jobs/${this.cluster.jobId}.`),
      },
    ];
  }

  private metricFetcherWarning(): Untimed {
    const scheme = this.cluster.profile.rpcScheme === 'pekko.tcp' ? 'pekko' : 'akka';
    const cause: JavaThrowable = {
      header: `java.util.concurrent.CompletionException: ${scheme === 'pekko' ? 'org.apache.pekko' : 'akka'}.pattern.AskTimeoutException: Ask timed out on [Actor[${scheme}://flink/user/rpc/dispatcher_1#${this.rng.int(100000000, 2000000000)}]] after [10000 ms]. Message of type [org.apache.flink.runtime.rpc.messages.LocalFencedMessage]. A typical reason for \`AskTimeoutException\` is that the recipient actor didn't send a reply.`,
      frames: [
        jdk('java.util.concurrent.CompletableFuture.encodeRelay(CompletableFuture.java:367)'),
        jdk('java.util.concurrent.CompletableFuture.completeRelay(CompletableFuture.java:376)'),
        jdk('java.util.concurrent.CompletableFuture$UniRelay.tryFire(CompletableFuture.java:1019)'),
        jdk('java.util.concurrent.CompletableFuture.postComplete(CompletableFuture.java:506)'),
        flink('org.apache.flink.runtime.concurrent.FutureUtils$1.onComplete(FutureUtils.java:1036)'),
        flink('akka.dispatch.OnComplete.internal(Future.scala:263)'),
        jdk('java.lang.Thread.run(Thread.java:829)'),
      ],
    };
    return {
      level: 'WARN', logger: 'org.apache.flink.runtime.rest.handler.legacy.metrics.MetricFetcherImpl',
      message: "Requesting TaskManager's path for query services failed.", tail: this.layout.loggedStack(cause),
    };
  }
}

function lookupTimeout(port: number): JavaThrowable {
  return {
    header: 'java.net.SocketTimeoutException: Read timed out',
    frames: [
      jdk('java.net.SocketInputStream.socketRead0(Native Method)'),
      jdk('java.net.SocketInputStream.socketRead(SocketInputStream.java:115)'),
      jdk('java.net.SocketInputStream.read(SocketInputStream.java:168)'),
      user(`com.example.orders.CustomerClient.lookup(CustomerClient.java:${port % 200})`),
      user('com.example.orders.EnrichmentFunction.map(EnrichmentFunction.java:74)'),
      user('com.example.orders.EnrichmentFunction.map(EnrichmentFunction.java:31)'),
      flink('org.apache.flink.streaming.api.operators.StreamMap.processElement(StreamMap.java:38)'),
      ...TASK_FRAMES,
    ],
  };
}
