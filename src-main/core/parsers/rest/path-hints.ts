/**
 * What a dump's path says about the response inside: the REST URL it came from (`jobs/<jid>/checkpoints/details/
 * <id>/subtasks/<vid>`), a dump tool's flat name (`<jid>-checkpoints.json`, `checkpoint-details-1288.json`) or a
 * HistoryServer archive member path. Bodies of checkpoint and backpressure responses carry no job or vertex id,
 * so the path is where those come from.
 */
export interface PathHints {
  job?: string;
  vertex?: string;
  checkpointId?: number;
}

const HEX_ID = /(?<![0-9a-fA-F])[0-9a-fA-F]{32}(?![0-9a-fA-F])/g;
const JOB_LABEL = /(?:^|[^a-z])(?:jobs?|jid)[-_.=]?$/i;
const VERTEX_LABEL = /(?:^|[^a-z])(?:vertex|vertices|vid|subtasks)[-_.=]?$/i;
const CHECKPOINT_ID = /(?:details|checkpoint|chk)[-_/.=]?(\d{1,18})(?![0-9a-zA-Z])/gi;

export function hintsFromPath(path: string): PathHints {
  const labelled: PathHints = {};
  const unlabelled: string[] = [];
  const segments = path.split(/[/\\]/).map((segment) => segment.replace(/!$/, ''));
  segments.forEach((segment, index) => {
    HEX_ID.lastIndex = 0;
    for (let match = HEX_ID.exec(segment); match !== null; match = HEX_ID.exec(segment)) {
      const id = match[0].toLowerCase();
      const before = match.index === 0 ? (index > 0 ? segments[index - 1] : '') : segment.slice(0, match.index);
      if (JOB_LABEL.test(before)) labelled.job = id;
      else if (VERTEX_LABEL.test(before)) labelled.vertex = id;
      else unlabelled.push(id);
    }
  });
  // Unlabelled ids fill the job first (it is always the outer one in REST URLs), then the vertex.
  for (const id of unlabelled) {
    if (labelled.job === undefined) labelled.job = id;
    else if (labelled.vertex === undefined && id !== labelled.job) labelled.vertex = id;
  }
  let checkpointId: number | undefined;
  CHECKPOINT_ID.lastIndex = 0;
  for (let match = CHECKPOINT_ID.exec(path); match !== null; match = CHECKPOINT_ID.exec(path)) checkpointId = Number(match[1]);
  if (checkpointId !== undefined) labelled.checkpointId = checkpointId;
  return labelled;
}

/** Hints of an inner path (wrapper member, archive entry) win over those of the enclosing file. */
export function mergeHints(outer: PathHints, inner: PathHints): PathHints {
  return {
    job: inner.job ?? outer.job,
    vertex: inner.vertex ?? outer.vertex,
    checkpointId: inner.checkpointId ?? outer.checkpointId,
  };
}
