# Reference numbers for the survival statistics in package analysis.
#
# Regenerate (from the repository root, needs R with the 'survival' package,
# e.g. `apt-get install r-base-core r-cran-survival`):
#
#     Rscript analysis/testdata/survival_ref.R
#
# The script writes
#   analysis/testdata/surv_<name>.csv   input data sets: time,status,group
#                                       (status 1 = event, 0 = right-censored;
#                                       group is an integer arm code 1..k)
#   analysis/testdata/survival_ref.csv  R's results in long format:
#                                       dataset,arm,item,i,value
# The Go tests only read these files; R is not needed at test time.
#
# Items written per arm (arm = 1..k), with conf in {log, log-log}:
#   km.{time,n.risk,n.event,n.censor,surv,std.err}, km.<conf>.{lower,upper}
#       survfit() columns; NOTE std.err is R's: the SE of log S(t)
#       (equivalently of the cumulative hazard), not of S(t).
#   median.<conf>   i = 1,2,3: median, 0.95LCL, 0.95UCL (summary()$table)
#   rmean.tau, rmean.mean, rmean.se   i = 1..: summary(fit, rmean = tau)$table
#       (what print(fit, rmean = tau) shows; R refuses tau < first time)
# Items per data set (arm = 0):
#   logrank.{chisq,df,p}, logrank.obs / logrank.exp (i = arm),
#   logrank.var (i = (g-1)*k + h, row-major k x k)      survdiff(rho = 0)
#   peto.loghr, peto.se     (O2 - E2) / V22 and 1/sqrt(V22) from survdiff
#   cox.{coef,se,hr,lower,upper,loglik0,loglik}   coxph(ties = "efron"),
#       arm 2 versus arm 1 (two-arm sets with a finite MLE only)

suppressPackageStartupMessages(library(survival))

outdir <- "analysis/testdata"
if (!dir.exists(outdir)) stop("run from the repository root")

fmt <- function(x) {
    ifelse(is.na(x) & !is.nan(x), "NA", sprintf("%.17g", x))
}

rows <- list()
add <- function(dataset, arm, item, values) {
    values <- as.numeric(values)
    if (length(values) == 0) return(invisible())
    rows[[length(rows) + 1]] <<- data.frame(
        dataset = dataset, arm = arm, item = item,
        i = seq_along(values), value = fmt(values),
        stringsAsFactors = FALSE)
}

datasets <- list()

# 1. Hand-made: ties between events and censorings, ties across arms, and an
#    arm whose curve sits exactly at 0.5 on a flat stretch (median averaging).
datasets$ties <- data.frame(
    time   = c(1, 2, 2, 2, 3, 4, 5, 5, 6, 8,
               1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
    status = c(1, 1, 1, 0, 0, 1, 1, 0, 1, 0,
               1, 1, 1, 1, 1, 0, 0, 1, 1, 0),
    group  = rep(1:2, each = 10))

# 2. aml (acute myelogenous leukaemia), Maintained = 1, Nonmaintained = 2.
datasets$aml <- data.frame(
    time = aml$time, status = aml$status,
    group = ifelse(aml$x == "Maintained", 1L, 2L))

# 3. lung by sex (1 = male, 2 = female); status recoded to 0/1.
datasets$lung_sex <- data.frame(
    time = lung$time, status = lung$status - 1L, group = lung$sex)

# 4. lung by ECOG performance score 0, 1, 2 (3 arms; NA and the single 3 dropped).
ok <- !is.na(lung$ph.ecog) & lung$ph.ecog <= 2
datasets$lung_ecog <- data.frame(
    time = lung$time[ok], status = lung$status[ok] - 1L,
    group = lung$ph.ecog[ok] + 1L)

# 5. Second arm entirely censored (Cox MLE is infinite: no cox items).
datasets$allcens <- data.frame(
    time   = c(3, 5, 5, 8, 10, 12, 15, 20,   4, 6, 9, 11, 14, 20),
    status = c(1, 1, 0, 1, 1, 0, 1, 0,        0, 0, 0, 0, 0, 0),
    group  = c(rep(1L, 8), rep(2L, 6)))

# 6. No censoring at all (both curves reach 0), with tied event times.
datasets$nocens <- data.frame(
    time   = c(2, 3, 3, 5, 7, 7, 7, 11, 13,   1, 3, 4, 4, 6, 8, 9, 9, 12, 14),
    status = 1L,
    group  = c(rep(1L, 9), rep(2L, 10)))

# 7./8. Synthetic simulation-like data: exponential times rounded up to whole
#       days (many ties), random censoring, administrative censoring at day 120.
sim <- function(n, rates, seed) {
    set.seed(seed)
    out <- NULL
    for (g in seq_along(rates)) {
        t <- ceiling(rexp(n, rates[g]))
        cz <- ceiling(runif(n, 20, 400))
        obs <- pmin(t, cz, 120)
        st <- as.integer(t <= pmin(cz, 120))
        out <- rbind(out, data.frame(time = obs, status = st, group = g))
    }
    out
}
datasets$sim2 <- sim(150, c(1 / 60, 1 / 90), 20240601)
datasets$sim3 <- sim(60, c(1 / 40, 1 / 55, 1 / 80), 20240602)

for (name in names(datasets)) {
    d <- datasets[[name]]
    write.csv(d, file.path(outdir, paste0("surv_", name, ".csv")),
              row.names = FALSE, quote = FALSE)
    k <- max(d$group)

    for (g in 1:k) {
        dg <- d[d$group == g, ]
        for (ct in c("log", "log-log")) {
            f <- survfit(Surv(time, status) ~ 1, data = dg, conf.type = ct)
            if (ct == "log") {  # the same for every conf.type
                add(name, g, "km.time", f$time)
                add(name, g, "km.n.risk", f$n.risk)
                add(name, g, "km.n.event", f$n.event)
                add(name, g, "km.n.censor", f$n.censor)
                add(name, g, "km.surv", f$surv)
                add(name, g, "km.std.err", f$std.err)
            }
            p <- paste0("km.", ct, ".")
            add(name, g, paste0(p, "lower"), f$lower)
            add(name, g, paste0(p, "upper"), f$upper)
            tab <- summary(f)$table
            add(name, g, paste0("median.", ct),
                tab[c("median", "0.95LCL", "0.95UCL")])
        }
        f <- survfit(Surv(time, status) ~ 1, data = dg)
        ut <- sort(unique(dg$time))
        taus <- c(min(ut), ut[ceiling(length(ut) / 2)],
                  median(dg$time) + 0.37, max(ut), max(ut) + 5)
        rm <- sapply(taus, function(tau) {
            tab <- summary(f, rmean = tau)$table
            c(tab[["rmean"]], tab[["se(rmean)"]])
        })
        add(name, g, "rmean.tau", taus)
        add(name, g, "rmean.mean", rm[1, ])
        add(name, g, "rmean.se", rm[2, ])
    }

    sd <- survdiff(Surv(time, status) ~ factor(group), data = d)
    add(name, 0, "logrank.chisq", sd$chisq)
    df <- sum(sd$exp > 0) - 1
    add(name, 0, "logrank.df", df)
    add(name, 0, "logrank.p", pchisq(sd$chisq, df, lower.tail = FALSE))
    add(name, 0, "logrank.obs", sd$obs)
    add(name, 0, "logrank.exp", sd$exp)
    add(name, 0, "logrank.var", t(sd$var))

    if (k == 2) {
        add(name, 0, "peto.loghr", (sd$obs[2] - sd$exp[2]) / sd$var[2, 2])
        add(name, 0, "peto.se", 1 / sqrt(sd$var[2, 2]))
        if (name != "allcens") {
            cf <- coxph(Surv(time, status) ~ factor(group), data = d,
                        ties = "efron")
            s <- summary(cf)
            add(name, 0, "cox.coef", coef(cf))
            add(name, 0, "cox.se", sqrt(vcov(cf)[1, 1]))
            add(name, 0, "cox.hr", s$conf.int[1, "exp(coef)"])
            add(name, 0, "cox.lower", s$conf.int[1, "lower .95"])
            add(name, 0, "cox.upper", s$conf.int[1, "upper .95"])
            add(name, 0, "cox.loglik0", cf$loglik[1])
            add(name, 0, "cox.loglik", cf$loglik[2])
        }
    }
}

ref <- do.call(rbind, rows)
versions <- sprintf("# generated by analysis/testdata/survival_ref.R with %s, survival %s",
                    R.version.string, format(packageVersion("survival")))
con <- file(file.path(outdir, "survival_ref.csv"), "w")
writeLines(versions, con)
write.csv(ref, con, row.names = FALSE, quote = FALSE)
close(con)
cat("wrote", nrow(ref), "reference rows for", length(datasets), "data sets\n")
cat(versions, "\n")
