/** Recursive schemas as the parser leaves them (real cycles), for the naming and emitter tests. */
type Obj = Record<string, unknown>;

/** Jackson/Springwolf: `Animal { name, oneOf: [Dog, Cat] }`, each subtype `allOf: [Animal, {...}]`. */
export function jacksonAnimal(): Obj {
  const animal: Obj = {
    type: 'object',
    required: ['kind', 'name'],
    properties: { kind: { type: 'string' }, name: { type: 'string' } },
  };
  const dog = {
    allOf: [animal, { type: 'object', required: ['bark'], properties: { bark: { type: 'boolean' } } }],
  };
  const cat = {
    allOf: [animal, { type: 'object', required: ['lives'], properties: { lives: { type: 'integer' } } }],
  };
  animal.oneOf = [dog, cat];
  return animal;
}

/** A root `anyOf` that names itself: a value is a string, itself, or a list of itself. */
export function selfUnion(): Obj {
  const node: Obj = {};
  node.anyOf = [{ type: 'string' }, node, { type: 'array', items: node }];
  return node;
}

/** Honest recursion: a category holds child categories. */
export function categoryTree(): Obj {
  const category: Obj = { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } };
  (category.properties as Obj).children = { type: 'array', items: category };
  return category;
}
