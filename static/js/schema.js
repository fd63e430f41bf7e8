// Reading pydantic's JSON Schemas: refs, nullable fields, discriminated unions, default values.

/** Follow `$ref` (local `#/$defs/...` of `root`), also when wrapped in allOf: [ {$ref} ]. */
export function deref(schema, root) {
  let s = schema || {};
  for (let i = 0; i < 20; i += 1) {
    if (s.$ref) {
      const path = s.$ref.replace(/^#\//, '').split('/');
      const target = path.reduce((cur, k) => (cur ? cur[k] : undefined), root);
      const { $ref, ...rest } = s;
      s = { ...(target || {}), ...rest };
    } else if (Array.isArray(s.allOf) && s.allOf.length === 1 && !s.properties) {
      const { allOf, ...rest } = s;
      s = { ...allOf[0], ...rest };
    } else break;
  }
  return s;
}

/** Split `anyOf: [X, {type: null}]` into {schema: X, nullable: true}. */
export function unwrapNullable(schema, root) {
  const s = deref(schema, root);
  const alts = s.anyOf || s.oneOf;
  if (Array.isArray(alts)) {
    const nonNull = alts.filter((a) => deref(a, root).type !== 'null');
    if (nonNull.length < alts.length) {
      const inner = nonNull.length === 1 ? deref(nonNull[0], root) : { ...s, anyOf: nonNull, oneOf: undefined };
      const merged = { ...inner };
      for (const k of ['title', 'description', 'default', 'examples']) if (k in s) merged[k] = s[k];
      return { schema: merged, nullable: true };
    }
  }
  if (Array.isArray(s.type) && s.type.includes('null')) {
    const types = s.type.filter((t) => t !== 'null');
    return { schema: { ...s, type: types.length === 1 ? types[0] : types }, nullable: true };
  }
  return { schema: s, nullable: false };
}

/** The `type` tag of an object schema (its `const`/single enum), or null. */
export function typeTag(schema, root) {
  const s = deref(schema, root);
  const t = s.properties && deref(s.properties.type, root);
  if (!t) return null;
  if ('const' in t) return t.const;
  if (Array.isArray(t.enum) && t.enum.length === 1) return t.enum[0];
  if (typeof t.default === 'string') return t.default;
  return null;
}

/** For a union of tagged objects: [{tag, schema}], else null. */
export function unionOptions(schema, root) {
  const s = deref(schema, root);
  const alts = s.oneOf || s.anyOf;
  if (!Array.isArray(alts)) {
    if (s.discriminator && s.discriminator.mapping) {
      return Object.entries(s.discriminator.mapping).map(([tag, ref]) => ({ tag, schema: deref({ $ref: ref }, root) }));
    }
    return null;
  }
  const opts = [];
  for (const alt of alts) {
    const d = deref(alt, root);
    const nested = d.oneOf || d.anyOf;
    if (Array.isArray(nested)) {
      const sub = unionOptions(d, root);
      if (!sub) return null;
      opts.push(...sub);
      continue;
    }
    const tag = typeTag(d, root);
    if (tag === null) return null;
    opts.push({ tag, schema: d });
  }
  return opts.length ? opts : null;
}

/** Kind of control for a (dereferenced, non-null) schema. */
export function kindOf(s, root) {
  if (unionOptions(s, root)) return 'union';
  if ('const' in s) return 'const';
  if (Array.isArray(s.enum)) return 'enum';
  const t = Array.isArray(s.type) ? s.type[0] : s.type;
  if (t === 'object' && s.properties) return 'object';
  if (t === 'integer') return 'integer';
  if (t === 'number') return 'number';
  if (t === 'boolean') return 'boolean';
  if (t === 'string') return 'string';
  if (t === 'array') {
    const items = s.items ? deref(s.items, root) : null;
    if (Array.isArray(s.prefixItems)) return 'tuple';
    if (items && Array.isArray(items.prefixItems)) return 'tuple-list';
    if (items && ['number', 'integer'].includes(items.type)) return 'number-list';
    if (items && (unionOptions(items, root) || items.properties)) return 'object-list';
  }
  return 'json';
}

/** A value that passes basic validation for schema `s`, used when a field or an item is added. */
export function sampleValue(schema, root, examples = {}) {
  const { schema: s, nullable } = unwrapNullable(schema, root);
  if ('default' in s) return structuredClone(s.default);
  if (Array.isArray(s.examples) && s.examples.length) return structuredClone(s.examples[0]);
  if (nullable) return null;
  const opts = unionOptions(s, root);
  if (opts) return sampleObject(opts[0].schema, root, examples);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  const t = Array.isArray(s.type) ? s.type[0] : s.type;
  if (t === 'integer' || t === 'number') {
    let v = t === 'integer' ? 10 : 0.1;
    if (typeof s.minimum === 'number' && v < s.minimum) v = s.minimum;
    if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) v = s.exclusiveMinimum + 1;
    if (typeof s.maximum === 'number' && v > s.maximum) v = s.maximum;
    if (typeof s.exclusiveMaximum === 'number' && v >= s.exclusiveMaximum) v = t === 'integer' ? s.exclusiveMaximum - 1 : s.exclusiveMaximum / 2;
    return v;
  }
  if (t === 'boolean') return false;
  if (t === 'string') return '';
  if (t === 'array') {
    if (Array.isArray(s.prefixItems)) return s.prefixItems.map((p) => sampleValue(p, root, examples));
    const n = s.minItems || 0;
    return Array.from({ length: n }, () => sampleValue(s.items || {}, root, examples));
  }
  if (t === 'object' && s.properties) return sampleObject(s, root, examples);
  return null;
}

/** A new object for a tagged schema: the catalogue example when there is one, else required fields. */
export function sampleObject(schema, root, examples = {}) {
  const s = deref(schema, root);
  const tag = typeTag(s, root);
  if (tag && examples[tag]) {
    const ex = structuredClone(examples[tag]);
    for (const k of Object.keys(ex)) if (k !== 'type' && s.properties && !(k in s.properties)) delete ex[k];
    return ex;
  }
  const out = {};
  if (tag) out.type = tag;
  const required = new Set(s.required || []);
  for (const [name, prop] of Object.entries(s.properties || {})) {
    if (name === 'type' || !required.has(name)) continue;
    out[name] = sampleValue(prop, root, examples);
  }
  return out;
}
