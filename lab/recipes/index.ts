export { buildRecipe } from './build-recipe.js';
export type { BuildRecipeOptions, BuiltRecipe } from './build-recipe.js';
export { RECIPES, findRecipe, recipesRoot } from './recipes.js';
export type { RecipeInfo } from './recipes.js';
export { acquireLock } from '../files/index.js';
