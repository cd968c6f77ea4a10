export { buildRecipe } from './build-recipe.js';
export { runScript } from './run-script.js';
export type { RunScriptOptions } from './run-script.js';
export type { BuildRecipeOptions, BuiltRecipe } from './build-recipe.js';
export { RECIPES, findRecipe, recipesRoot } from './recipes.js';
export type { RecipeInfo } from './recipes.js';
export { acquireLock } from '../files/index.js';
