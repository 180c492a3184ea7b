//! Expressions that reach a field through a dotted path of nested fields, borrowing or moving:
//! the pagination cursors and item lists, and the ends of time windows.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use crate::ir::FieldPath;

/// An `Option<&T>` expression reaching `path` from `root` (`self` or a response): plain field
/// access while the fields are required, `as_ref`/`and_then` from the first optional one.
pub(crate) fn reach(root: TokenStream, path: &FieldPath) -> TokenStream {
    reach_with(root, path, true)
}

/// Like [`reach`], moving out of `root` instead of borrowing.
pub(crate) fn reach_owned(root: TokenStream, path: &FieldPath) -> TokenStream {
    reach_with(root, path, false)
}

fn reach_with(root: TokenStream, path: &FieldPath, borrow: bool) -> TokenStream {
    let (as_ref, amp) = if borrow {
        (quote!(.as_ref()), quote!(&))
    } else {
        (quote!(), quote!())
    };
    let mut direct = root;
    let mut steps = path.steps.iter();
    let mut chain = None;
    for step in steps.by_ref() {
        let r = ident(&step.rust);
        if step.required {
            direct = quote!(#direct.#r);
        } else {
            chain = Some(quote!(#direct.#r #as_ref));
            break;
        }
    }
    let Some(mut e) = chain else {
        return quote!(Some(#amp #direct));
    };
    for step in steps {
        let r = ident(&step.rust);
        e = if step.required {
            quote!(#e.map(|x| #amp x.#r))
        } else {
            quote!(#e.and_then(|x| x.#r #as_ref))
        };
    }
    e
}
