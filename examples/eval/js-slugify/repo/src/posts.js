/** The URL of a post on the site. */
export function postUrl(post) {
  return `/posts/${post.title}`;
}
