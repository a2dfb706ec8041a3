import { slugify } from "./slug.js";

/** The URL of a post on the site. */
export function postUrl(post) {
  return `/posts/${slugify(post.title)}`;
}
