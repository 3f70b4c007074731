import { JfrOutOfBounds, type ByteReader } from './byte-reader.js';

/** A reference into a constant pool: the pool is the field's declared type, the key is per chunk. */
export class JfrRef {
  constructor(
    readonly typeId: number,
    readonly key: number,
  ) {}
}

export type JfrValue = number | string | boolean | null | JfrRef | JfrValue[] | JfrObject;
export interface JfrObject {
  [field: string]: JfrValue;
}

export interface JfrField {
  name: string;
  typeId: number;
  constantPool: boolean;
  array: boolean;
}

/** How a class's values are encoded: a struct of fields, or one of the primitives / strings. */
const enum Kind {
  Struct,
  Boolean,
  Byte,
  Char,
  Short,
  Int,
  Long,
  Float,
  Double,
  String,
}

const PRIMITIVE_KINDS: Readonly<Record<string, Kind>> = {
  boolean: Kind.Boolean,
  byte: Kind.Byte,
  char: Kind.Char,
  short: Kind.Short,
  int: Kind.Int,
  long: Kind.Long,
  float: Kind.Float,
  double: Kind.Double,
  'java.lang.String': Kind.String,
};

export interface JfrClass {
  id: number;
  name: string;
  kind: Kind;
  fields: JfrField[];
}

interface Element {
  name: string;
  attributes: Map<string, string>;
  children: Element[];
}

const STRING_CLASS = 'java.lang.String';
const MAX_ELEMENT_DEPTH = 32;

/** The class table of one chunk, read from its metadata event, and a value decoder driven by it. */
export class JfrMetadata {
  readonly classes = new Map<number, JfrClass>();
  readonly byName = new Map<string, JfrClass>();
  stringTypeId = -1;

  /** Reads the metadata event at the reader's position (size, type 0, start, duration, id, strings, element tree). */
  static read(reader: ByteReader): JfrMetadata {
    reader.int(); // event size
    const type = reader.long();
    if (type !== 0) throw new Error(`metadata event has type ${type}, expected 0`);
    reader.long(); // start ticks
    reader.long(); // duration
    reader.long(); // metadata id
    const count = reader.int();
    if (count < 0 || count > reader.remaining) throw new JfrOutOfBounds(reader.pos);
    const strings: string[] = [];
    for (let i = 0; i < count; i++) {
      // Metadata strings are inline (never pool references), so no string pool type is needed yet.
      const value = readString(reader, -1);
      strings.push(typeof value === 'string' ? value : '');
    }
    const root = readElement(reader, strings, 0);
    const metadata = new JfrMetadata();
    const visit = (element: Element): void => {
      for (const child of element.children) {
        if (child.name === 'class') metadata.addClass(child);
        else visit(child);
      }
    };
    visit(root);
    metadata.stringTypeId = metadata.byName.get(STRING_CLASS)?.id ?? -1;
    return metadata;
  }

  private addClass(element: Element): void {
    const id = Number(element.attributes.get('id'));
    const name = element.attributes.get('name');
    if (!Number.isFinite(id) || name === undefined) return;
    const fields: JfrField[] = element.children
      .filter((child) => child.name === 'field')
      .map((field) => ({
        name: field.attributes.get('name') ?? '',
        typeId: Number(field.attributes.get('class')),
        constantPool: field.attributes.get('constantPool') === 'true',
        array: (field.attributes.get('dimension') ?? '0') !== '0',
      }));
    const cls: JfrClass = { id, name, kind: PRIMITIVE_KINDS[name] ?? Kind.Struct, fields };
    this.classes.set(id, cls);
    this.byName.set(name, cls);
  }

  /** Decodes one value of a class (primitive, string or struct) at the reader's position. */
  readValue(reader: ByteReader, typeId: number, depth = 0): JfrValue {
    const cls = this.classes.get(typeId);
    if (cls === undefined) throw new Error(`unknown JFR type id ${typeId}`);
    switch (cls.kind) {
      case Kind.Boolean:
        return reader.bool();
      case Kind.Byte:
        return reader.i8();
      case Kind.Char:
        return String.fromCharCode(reader.char());
      case Kind.Short:
        return reader.short();
      case Kind.Int:
        return reader.int();
      case Kind.Long:
        return reader.long();
      case Kind.Float:
        return reader.float();
      case Kind.Double:
        return reader.double();
      case Kind.String:
        return readString(reader, this.stringTypeId);
      case Kind.Struct:
        break;
    }
    if (depth > MAX_ELEMENT_DEPTH) throw new Error(`JFR type ${cls.name} nests too deep`);
    const value: JfrObject = {};
    for (const field of cls.fields) {
      if (field.array) {
        const count = reader.int();
        if (count < 0 || count > reader.remaining) throw new JfrOutOfBounds(reader.pos);
        const items: JfrValue[] = [];
        for (let i = 0; i < count; i++) items.push(this.readField(reader, field, depth));
        value[field.name] = items;
      } else {
        value[field.name] = this.readField(reader, field, depth);
      }
    }
    return value;
  }

  /**
   * Steps over one value without building it: constant pools are indexed by offset and decoded only when an
   * event refers to an entry, which keeps large stack-trace pools from becoming millions of short-lived objects.
   */
  skipValue(reader: ByteReader, typeId: number, depth = 0): void {
    const cls = this.classes.get(typeId);
    if (cls === undefined) throw new Error(`unknown JFR type id ${typeId}`);
    switch (cls.kind) {
      case Kind.Boolean:
      case Kind.Byte:
        reader.pos += 1;
        return;
      case Kind.Char:
      case Kind.Short:
        if (reader.compressed) reader.varlong();
        else reader.pos += 2;
        return;
      case Kind.Int:
      case Kind.Long:
        reader.long();
        return;
      case Kind.Float:
        reader.pos += 4;
        return;
      case Kind.Double:
        reader.pos += 8;
        return;
      case Kind.String:
        readString(reader, this.stringTypeId);
        return;
      case Kind.Struct:
        break;
    }
    if (depth > MAX_ELEMENT_DEPTH) throw new Error(`JFR type ${cls.name} nests too deep`);
    for (const field of cls.fields) {
      const count = field.array ? reader.int() : 1;
      if (count < 0 || count > reader.remaining) throw new JfrOutOfBounds(reader.pos);
      for (let i = 0; i < count; i++) {
        if (field.constantPool) reader.long();
        else this.skipValue(reader, field.typeId, depth + 1);
      }
    }
    if (reader.pos > reader.end) throw new JfrOutOfBounds(reader.pos);
  }

  private readField(reader: ByteReader, field: JfrField, depth: number): JfrValue {
    if (field.constantPool) return new JfrRef(field.typeId, reader.long());
    return this.readValue(reader, field.typeId, depth + 1);
  }
}

function readElement(reader: ByteReader, strings: readonly string[], depth: number): Element {
  if (depth > MAX_ELEMENT_DEPTH) throw new Error('metadata element tree nests too deep');
  const at = (index: number): string => strings[index] ?? '';
  const name = at(reader.int());
  const attributes = new Map<string, string>();
  const attributeCount = reader.int();
  if (attributeCount < 0 || attributeCount > reader.remaining) throw new JfrOutOfBounds(reader.pos);
  for (let i = 0; i < attributeCount; i++) {
    const key = at(reader.int());
    attributes.set(key, at(reader.int()));
  }
  const childCount = reader.int();
  if (childCount < 0 || childCount > reader.remaining) throw new JfrOutOfBounds(reader.pos);
  const children: Element[] = [];
  for (let i = 0; i < childCount; i++) children.push(readElement(reader, strings, depth + 1));
  return { name, attributes, children };
}

/** JFR string encodings: 0 null, 1 empty, 2 constant-pool reference, 3 UTF-8, 4 char array, 5 Latin-1. */
export function readString(reader: ByteReader, stringTypeId: number): string | null | JfrRef {
  const encoding = reader.u8();
  switch (encoding) {
    case 0:
      return null;
    case 1:
      return '';
    case 2:
      return new JfrRef(stringTypeId, reader.long());
    case 3:
      return reader.bytes(reader.int()).toString('utf8');
    case 4: {
      const length = reader.int();
      if (length < 0 || length > reader.remaining) throw new JfrOutOfBounds(reader.pos);
      let out = '';
      for (let i = 0; i < length; i++) out += String.fromCharCode(reader.char());
      return out;
    }
    case 5:
      return reader.bytes(reader.int()).toString('latin1');
    default:
      throw new Error(`unknown JFR string encoding ${encoding} at byte ${reader.pos - 1}`);
  }
}
