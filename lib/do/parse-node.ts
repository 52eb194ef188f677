/**
 * dots 1.19 was generated for a Kiota that inferred the element type of primitive arrays; the
 * installed Kiota (1.0.0-preview.109) requires it, and throws "unsupported type during
 * deserialization undefined" on any non-empty `tags`, `features`, `volume_ids`, … — i.e. on almost
 * every droplet. This parse node takes the element type when given and otherwise keeps the JSON
 * values as they are; everything else is delegated to Kiota's own JSON parse node.
 */
import {
  isUntypedNode,
  type Parsable,
  type ParsableFactory,
  type ParseNode,
  type ParseNodeFactory,
  type PrimitiveTypesForDeserializationForCollection,
} from '@microsoft/kiota-abstractions';
import { JsonParseNode } from '@microsoft/kiota-serialization-json';

type ModelWithExtras = Parsable & { additionalData?: Record<string, unknown> };

export class LenientJsonParseNode implements ParseNode {
  private readonly kiota: JsonParseNode;
  onBeforeAssignFieldValues: ((value: Parsable) => void) | undefined;
  onAfterAssignFieldValues: ((value: Parsable) => void) | undefined;

  constructor(private readonly json: unknown) {
    this.kiota = new JsonParseNode(json);
  }

  getStringValue = () => this.kiota.getStringValue();
  getBooleanValue = () => this.kiota.getBooleanValue();
  getNumberValue = () => this.kiota.getNumberValue();
  getGuidValue = () => this.kiota.getGuidValue();
  getDateValue = () => this.kiota.getDateValue();
  getDurationValue = () => this.kiota.getDurationValue();
  getDateOnlyValue = () => this.kiota.getDateOnlyValue();
  getTimeOnlyValue = () => this.kiota.getTimeOnlyValue();
  getByteArrayValue = () => this.kiota.getByteArrayValue();
  getEnumValue = <T>(type: unknown) => this.kiota.getEnumValue<T>(type);
  getCollectionOfEnumValues = <T>(type: unknown) => this.kiota.getCollectionOfEnumValues<T>(type);

  getChildNode(identifier: string): ParseNode | undefined {
    if (this.json === null || typeof this.json !== 'object') return undefined;
    const child = (this.json as Record<string, unknown>)[identifier];
    return child === undefined ? undefined : new LenientJsonParseNode(child);
  }

  getCollectionOfPrimitiveValues<T>(
    primitiveType?: PrimitiveTypesForDeserializationForCollection,
  ): T[] | undefined {
    if (primitiveType) return this.kiota.getCollectionOfPrimitiveValues<T>(primitiveType);
    return Array.isArray(this.json) ? ([...this.json] as T[]) : undefined;
  }

  getCollectionOfObjectValues<T extends Parsable>(factory: ParsableFactory<T>): T[] | undefined {
    if (!Array.isArray(this.json)) return undefined;
    return this.json.map((item) => new LenientJsonParseNode(item).getObjectValue(factory));
  }

  getObjectValue<T extends Parsable>(factory: ParsableFactory<T>): T {
    const model = {} as ModelWithExtras;
    const fields = factory(this)(model);
    // Untyped nodes hold no typed primitive arrays, so Kiota's own handling is correct for them.
    if (isUntypedNode(fields)) return this.kiota.getObjectValue(factory);
    this.onBeforeAssignFieldValues?.(model);
    if (this.json !== null && typeof this.json === 'object') {
      for (const [key, value] of Object.entries(this.json)) {
        const assign = fields[key];
        if (assign) {
          assign(new LenientJsonParseNode(value));
        } else {
          model.additionalData ??= {};
          model.additionalData[key] = value;
        }
      }
    }
    this.onAfterAssignFieldValues?.(model);
    return model as T;
  }
}

export class LenientJsonParseNodeFactory implements ParseNodeFactory {
  getValidContentType(): string {
    return 'application/json';
  }

  getRootParseNode(contentType: string, content: ArrayBuffer): ParseNode {
    if (contentType !== this.getValidContentType()) {
      throw new Error(`expected a ${this.getValidContentType()} content type, got ${contentType}`);
    }
    return new LenientJsonParseNode(JSON.parse(new TextDecoder().decode(content)));
  }
}
