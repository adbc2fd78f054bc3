// The only rules in JavaScript: an anonymous learner's standing from the completions in
// localStorage and the tables the server hands over (SPEC 4). They mirror progress/rules.py;
// tests/e2e/test_standing_js.py runs one table of cases through both.
// data: {lessons: [{key, xp, quest_id}] in reading order, levels: [{number, name, xp_floor, next_at}]}.

/** The highest level the XP reaches (each level already says where the next starts). */
export function levelFor(xp, levels) {
  let reached = levels[0];
  for (const level of levels) if (level.xp_floor <= xp) reached = level;
  return reached;
}

/** XP into the level, its width and what is left (null at the top), and the whole percent reached. */
export function levelProgress(xp, level) {
  const into = xp - level.xp_floor;
  if (level.next_at === null) return { into, span: null, left: null, percent: 100 };
  const span = level.next_at - level.xp_floor;
  const percent = span <= 0 ? 100 : Math.min(100, Math.floor((into * 100) / span));
  return { into, span, left: level.next_at - xp, percent };
}

/** The state in the API's shape, counting only lessons the server listed. */
export function localState(local, data) {
  const completed = {};
  let xp = 0;
  for (const lesson of data.lessons) {
    if (Object.hasOwn(local, lesson.key)) { completed[lesson.key] = local[lesson.key]; xp += lesson.xp; }
  }
  const { number, name, xp_floor, next_at } = levelFor(xp, data.levels);
  return {
    completed, xp,
    level: { number, name, xp_floor, next_at },
    lessons_completed: Object.keys(completed).length,
    lessons_total: data.lessons.length,
    achievements: [],
    achievements_total: data.achievements_total,
    streak_days: 0,
  };
}

/** {done, total} per quest id. */
export function questCounts(lessons, completed) {
  const counts = {};
  for (const lesson of lessons) {
    const count = (counts[lesson.quest_id] ||= { done: 0, total: 0 });
    count.total += 1;
    if (Object.hasOwn(completed, lesson.key)) count.done += 1;
  }
  return counts;
}

/** The first unfinished lesson after the latest completed one, wrapping round; {key: null} when all are done. */
export function continueAt(order, completed) {
  const done = order.filter((key) => Object.hasOwn(completed, key));
  if (!done.length) return { key: order.length ? order[0] : null, started: false };
  let latest = done[0];
  for (const key of done) if (Date.parse(completed[key]) > Date.parse(completed[latest])) latest = key;
  const start = order.indexOf(latest) + 1;
  const following = order.slice(start).concat(order.slice(0, start)).find((key) => !Object.hasOwn(completed, key));
  return { key: following ?? null, started: true };
}
